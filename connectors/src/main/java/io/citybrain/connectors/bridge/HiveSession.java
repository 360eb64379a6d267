package io.citybrain.connectors.bridge;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a session does the same way over the HiveMQ MQTT client's 3.1.1 and 5 APIs: connect then
 * subscribe at QoS 1, treat a failed SUBACK as a refusal, hand every message to the listener on one
 * thread of its own (in arrival order; blocking it is the bridge's backpressure, and the broker
 * sends no more than its in-flight window of unacknowledged messages), acknowledge on demand.
 *
 * <p>Why this client (issue 23): Paho 1.2.5 validates a received topic in its receiver thread and
 * dies on the exception when the topic holds an emoji, a control character, a BOM or U+FFFD; the
 * bridge then reconnected once per keep-alive and the broker redelivered the same message for ever.
 * This client decodes every topic a broker forwards; a topic it could not decode (NUL, malformed
 * UTF-8) never reaches it, since Mosquitto and the embedded broker refuse it from the publisher.
 *
 * <p>The client gives no packet id of its own: each message gets a number of this session's, which
 * {@link #ack} takes back; a number of another session is never acknowledged here.
 */
abstract class HiveSession implements BrokerSession {
  /**
   * Seconds between PINGREQs; the bridge's own reconnects start when the client notices a dead
   * link.
   */
  static final int KEEP_ALIVE_S = 30;

  /** The client's network threads: daemons, shared with the process's other MQTT connections. */
  static final com.hivemq.client.mqtt.MqttClientExecutorConfig NETWORK =
      io.citybrain.connectors.mqtt.ConfirmedPublisher.DAEMON_NETWORK;

  final BridgeSettings settings;

  /** null without TLS. */
  final MqttClientSslConfig tls;

  final Listener listener;
  final String host;
  final int port;

  /** The listener's thread: arrivals in order, and blocking it holds the next ones back. */
  final ExecutorService callbacks;

  private final Map<Integer, Runnable> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  volatile boolean closing;

  HiveSession(BridgeSettings settings, MqttClientSslConfig tls, Listener listener) {
    this.settings = settings;
    this.tls = tls;
    this.listener = listener;
    URI uri = URI.create(settings.mqttUrl());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : tls == null ? 1883 : 8883;
    this.callbacks =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "bridge-mqtt-" + settings.clientId());
              t.setDaemon(true);
              return t;
            });
  }

  /** Connects with a persistent session; the future fails with the client's exception. */
  abstract CompletableFuture<?> connect();

  /** Subscribes to the configured filter at QoS 1; true when the broker granted it. */
  abstract CompletableFuture<Boolean> subscribe();

  /**
   * Whether the client's exception is a decision of the broker (bad credentials, not authorised, id
   * refused).
   */
  abstract boolean refusal(Throwable e);

  abstract CompletableFuture<Void> disconnect();

  /**
   * Hands a message to the listener with this session's number for it; called on {@link
   * #callbacks}.
   */
  final void arrived(String topic, byte[] payload, Runnable acknowledge) {
    int id = ids.incrementAndGet() & 0x7fffffff;
    pending.put(id, acknowledge);
    listener.arrived(topic, payload, id, MqttQos.AT_LEAST_ONCE.getCode());
  }

  /**
   * The client's disconnect notice: the bridge reconnects unless it is closing this session itself.
   */
  final void lost(Throwable cause) {
    if (!closing) {
      listener.lost(cause);
    }
  }

  @Override
  public final void open(long timeoutMs) throws Failure {
    try {
      connect().get(timeoutMs, TimeUnit.MILLISECONDS);
      if (!subscribe().get(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new Failure(
            "the broker refused the subscription to " + settings.subscription(), true, null);
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      boolean tlsFailed = Failure.isTls(cause);
      throw new Failure(
          (tlsFailed ? Failure.TLS_FAILED : "")
              + cause.getMessage()
              + (cause.getCause() == null ? "" : " (" + cause.getCause() + ")"),
          refusal(cause) || tlsFailed,
          null);
    } catch (TimeoutException e) {
      throw new Failure(
          "no answer from " + settings.mqttUrl() + " within " + timeoutMs + " ms", false, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while connecting", false, null);
    }
  }

  @Override
  public final void ack(int messageId, int qos) {
    Runnable a = pending.remove(messageId);
    if (a != null) {
      a.run();
    }
  }

  @Override
  public final void drop() {
    // MQTT redelivers whatever was not acknowledged when the session resumes, DISCONNECT or not.
    close(0);
  }

  @Override
  public final void leave() {
    close(5);
  }

  private void close(long waitSeconds) {
    closing = true;
    pending.clear();
    try {
      CompletableFuture<Void> done = disconnect();
      if (waitSeconds > 0) {
        done.get(waitSeconds, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // already gone: nothing left to release
    }
    callbacks.shutdownNow();
  }
}
