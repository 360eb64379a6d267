package io.citybrain.connectors.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import java.net.URI;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A publish-only MQTT 3.1.1 connection whose publishes complete on the broker's PUBACK: what the
 * alert dispatcher and the console's acknowledgements need. Built on the HiveMQ MQTT client, like
 * the bridge (issue 23): Paho 1.2.5 has had no release since 2020 and decodes in its receiver
 * thread, which a broker's odd packet can kill.
 *
 * <p>The first connect fails fast, naming the broker and the account, so a wrong password stops
 * start-up. A connection lost later is retried for ever with a capped backoff (0.25 s doubling to
 * 10 s). Meanwhile a publish fails at once ("not connected"), and one the old connection had in
 * flight fails too (the session is clean): the caller publishes it again, which QoS 1 allows, as
 * the dispatcher does every 500 ms ({@code ConfirmedPublisherITCase} restarts the broker under it).
 */
public final class ConfirmedPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);
  private static final int KEEP_ALIVE_S = 30;

  /**
   * The client's network threads, as daemons, shared by every connection of the process: the
   * process decides when it ends, not a network thread the client has not released yet.
   */
  public static final MqttClientExecutorConfig DAEMON_NETWORK =
      MqttClientExecutorConfig.builder()
          .nettyExecutor(
              Executors.newCachedThreadPool(
                  r -> {
                    Thread t = new Thread(r, "citybrain-mqtt-network");
                    t.setDaemon(true);
                    return t;
                  }))
          .build();

  private final Mqtt3AsyncClient client;
  private final String url;
  private volatile boolean connected;
  private volatile boolean closing;

  private ConfirmedPublisher(String url, String clientId) {
    this.url = url;
    URI uri = URI.create(url);
    boolean tls = "ssl".equals(uri.getScheme());
    Mqtt3ClientBuilder b =
        MqttClient.builder()
            .useMqttVersion3()
            .identifier(clientId)
            .serverHost(uri.getHost())
            .serverPort(uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883)
            .executorConfig(DAEMON_NETWORK)
            .addDisconnectedListener(
                ctx -> {
                  // Only a connection that once stood is retried: a refused first connect is the
                  // caller's error.
                  if (closing || !connected) {
                    return;
                  }
                  int attempt = ctx.getReconnector().getAttempts();
                  if (attempt == 0) {
                    LOG.warn(
                        "MQTT connection to {} as {} lost ({}); reconnecting",
                        url,
                        clientId,
                        ctx.getCause().getMessage());
                  }
                  ctx.getReconnector()
                      .reconnect(true)
                      .delay(
                          io.citybrain.connectors.Backoff.millis(attempt, 250, 10_000),
                          TimeUnit.MILLISECONDS);
                });
    if (tls) {
      // The JVM's trust store and host-name verification, as HTTPS clients do.
      b = b.sslWithDefaultConfig();
    }
    this.client = b.buildAsync();
  }

  /**
   * Connects, or throws {@link IllegalStateException} naming the broker, the account and the
   * broker's answer.
   *
   * @param username null to connect anonymously
   */
  public static ConfirmedPublisher connect(
      String url, String clientId, String username, char[] password, Duration timeout) {
    ConfirmedPublisher p = new ConfirmedPublisher(url, clientId);
    Mqtt3ConnectBuilder.Send<CompletableFuture<Mqtt3ConnAck>> c =
        p.client.connectWith().cleanSession(true).keepAlive(KEEP_ALIVE_S);
    if (username != null) {
      c =
          c.simpleAuth()
              .username(username)
              .password(
                  StandardCharsets.UTF_8.encode(
                      CharBuffer.wrap(password == null ? new char[0] : password)))
              .applySimpleAuth();
    }
    try {
      c.send().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      p.connected = true;
      return p;
    } catch (ExecutionException e) {
      p.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          refusal(url, clientId, username) + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      p.close();
      throw new IllegalStateException(
          refusal(url, clientId, username) + ": no answer within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      p.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(refusal(url, clientId, username) + ": interrupted");
    }
  }

  private static String refusal(String url, String clientId, String username) {
    return "cannot connect to the MQTT broker "
        + url
        + " as "
        + (username == null ? "anonymous" : "'" + username + "'")
        + " (client id "
        + clientId
        + ")";
  }

  /** Publishes at QoS 1, not retained; the future completes when the broker has acknowledged it. */
  public CompletableFuture<Void> publish(String topic, byte[] payload) {
    return client
        .publishWith()
        .topic(topic)
        .qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload)
        .send()
        .thenApply(p -> null);
  }

  /**
   * {@link #publish} and wait for the PUBACK; throws {@link Unacknowledged} when it does not come.
   */
  public void publishAndWait(String topic, byte[] payload, Duration timeout) throws Unacknowledged {
    await(publish(topic, payload), timeout);
  }

  /**
   * Waits for a publish of this connection; throws {@link Unacknowledged} when its PUBACK does not
   * come.
   */
  public static void await(CompletableFuture<Void> published, Duration timeout)
      throws Unacknowledged {
    try {
      published.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new Unacknowledged(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } catch (TimeoutException e) {
      throw new Unacknowledged("no PUBACK within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unacknowledged("interrupted");
    }
  }

  public String url() {
    return url;
  }

  /** Whether the connection stands now. */
  public boolean connected() {
    return client.getState().isConnected();
  }

  @Override
  public void close() {
    closing = true;
    try {
      client.disconnect().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      // Not connected (a refused start, or a lost link): nothing to close cleanly.
    } catch (TimeoutException e) {
      LOG.warn("MQTT disconnect from {} did not finish within 5 s", url);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The broker did not acknowledge a publish (lost connection, refused, or too slow). */
  public static final class Unacknowledged extends Exception {
    public Unacknowledged(String reason) {
      super(reason);
    }
  }
}
