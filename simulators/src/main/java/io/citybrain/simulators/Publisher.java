package io.citybrain.simulators;

import io.citybrain.contract.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Publishes messages to an MQTT broker at a capped rate, counting what the broker acknowledged, and
 * optionally records every message to a JSON-lines file that {@link Replay} can send again. For use
 * from one thread.
 */
public final class Publisher implements AutoCloseable {

  /** How to reach the broker. {@code password} is never printed. */
  public record Target(String url, String clientId, String username, char[] password, int qos) {
    public Target {
      if (!url.startsWith("tcp://") && !url.startsWith("ssl://")) {
        throw new IllegalArgumentException(
            "--mqtt must start with tcp:// or ssl://, got '" + url + "'");
      }
      if (qos < 0 || qos > 1) {
        throw new IllegalArgumentException("--qos must be 0 or 1, got " + qos);
      }
    }

    /**
     * A client id no other run shares: MQTT lets one connection per id live, so two publishers with
     * one id (the local city's simulators and a {@code simulate} beside them, both seed 42) would
     * take turns kicking each other off. The seed keeps it recognisable in broker logs.
     */
    public static String uniqueClientId(long seed) {
      return "citybrain-sim-"
          + seed
          + "-"
          + ProcessHandle.current().pid()
          + "-"
          + Long.toHexString(
              java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffL);
    }

    @Override
    public String toString() {
      return "Target["
          + url
          + ", clientId="
          + clientId
          + ", user="
          + username
          + ", qos="
          + qos
          + "]";
    }
  }

  private final MqttAsyncClient client;
  private final int qos;
  private final Stats stats;
  private final long nanosPerMessage;
  private final BufferedWriter recorder;
  private long nextSlot = System.nanoTime();
  private volatile String lastLoss;
  static final int MAX_IN_FLIGHT = 1_000;

  /**
   * @param maxRate messages per second at most, 0 for no cap
   * @param record where to record what is sent, or null
   */
  public Publisher(Target target, double maxRate, Path record, Stats stats) {
    this.qos = target.qos();
    this.stats = stats;
    this.nanosPerMessage = maxRate > 0 ? (long) (1e9 / maxRate) : 0;
    try {
      this.recorder =
          record == null ? null : Files.newBufferedWriter(record, StandardCharsets.UTF_8);
      this.client = new MqttAsyncClient(target.url(), target.clientId(), new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      o.setAutomaticReconnect(true);
      // A window, not a queue: 65,535 in flight let a replay at x10 push 30,000 messages into the
      // local broker at once, and some were never acknowledged. A thousand keeps any broker busy
      // (a million messages a second at a 1 ms round trip) and paces the sender to its PUBACKs.
      o.setMaxInflight(MAX_IN_FLIGHT);
      client.setCallback(
          new MqttCallbackExtended() {
            @Override
            public void connectionLost(Throwable cause) {
              // Paho fails the lost connection's in-flight QoS 1 messages; they are counted under
              // this.
              String reason =
                  "connection lost: "
                      + describe(cause)
                      + (cause != null && cause.getCause() instanceof java.io.EOFException
                          ? ", closed by the broker (another client connected with the same id?)"
                          : "");
              lastLoss = reason;
              System.err.println("simulate: " + reason + " (reconnecting)");
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
              if (reconnect) {
                System.err.println("simulate: reconnected to " + serverURI);
              }
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {}

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
          });
      if (target.username() != null) {
        o.setUserName(target.username());
        o.setPassword(target.password());
      }
      client.connect(o).waitForCompletion(30_000);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + record, e);
    } catch (MqttException e) {
      throw new IllegalStateException(
          "cannot connect to " + target.url() + ": " + e.getMessage(), e);
    }
  }

  public void publish(Message m) throws InterruptedException {
    pace();
    MqttMessage msg = new MqttMessage(m.payload());
    msg.setQos(qos);
    while (true) {
      try {
        client.publish(
            m.topic(),
            msg,
            null,
            new IMqttActionListener() {
              @Override
              public void onSuccess(IMqttToken token) {
                stats.acked(m.kind());
              }

              @Override
              public void onFailure(IMqttToken token, Throwable e) {
                String loss = lastLoss;
                stats.failed(m.kind(), loss != null ? loss : describe(e));
              }
            });
        stats.sent(m.kind());
        break;
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT
            && e.getReasonCode() != MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
            && e.getReasonCode() != MqttException.REASON_CODE_NO_MESSAGE_IDS_AVAILABLE) {
          stats.failed(m.kind(), "refused by the client: " + describe(e));
          break;
        }
        // The broker has not acknowledged enough yet: wait instead of queueing without bound.
        Thread.sleep(1);
      }
    }
    record(m);
  }

  private static String describe(Throwable e) {
    if (e == null) {
      return "unknown";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return root == e ? msg : msg + " (" + root + ")";
  }

  private void pace() throws InterruptedException {
    if (nanosPerMessage == 0) {
      return;
    }
    long now = System.nanoTime();
    if (nextSlot > now) {
      long wait = nextSlot - now;
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
    nextSlot = Math.max(nextSlot, now - 1_000_000_000L) + nanosPerMessage;
  }

  private void record(Message m) {
    if (recorder == null) {
      return;
    }
    try {
      recorder.write(Json.MAPPER.writeValueAsString(Recorded.of(m)));
      recorder.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record", e);
    }
  }

  /**
   * Waits up to two minutes for the broker to acknowledge what is outstanding, then disconnects;
   * what is still unacknowledged then is counted as failed.
   */
  @Override
  public void close() throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (client.getPendingDeliveryTokens().length > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    String late = "not acknowledged within 2 minutes of the end";
    if (recorder != null) {
      recorder.close();
    }
    if (!client.isConnected()) {
      for (int i = client.getPendingDeliveryTokens().length; i > 0; i--) {
        stats.failed("unacknowledged", lastLoss != null ? lastLoss : late);
      }
    } else {
      // The disconnect fails what is still outstanding through each message's own listener (per
      // kind, and once; counting them here too counted them twice): give it the reason.
      lastLoss = late;
      try {
        client.disconnect(1_000).waitForCompletion(5_000);
      } catch (MqttException e) {
        client.disconnectForcibly(0, 1_000);
      }
    }
    client.close(true);
  }
}
