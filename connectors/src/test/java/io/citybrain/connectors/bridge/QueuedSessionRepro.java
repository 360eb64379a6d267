package io.citybrain.connectors.bridge;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * By hand, not a test: a persistent session that Mosquitto queues {@code N} messages for while it
 * is away, then drained by a HiveMQ client that acknowledges each message {@code delayMs} after it
 * arrived, as the bridge does once Kafka has it. Prints how many distinct messages arrived and how
 * often the client dropped the connection. Args: N delayMs.
 */
public final class QueuedSessionRepro {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long delayMs = Long.parseLong(args[1]);
    Path dir = Files.createTempDirectory("repro");
    try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOSQUITTO, dir)) {
      URI uri = URI.create(broker.url());
      Mqtt3AsyncClient first = client(uri, "s1");
      first.connectWith().cleanSession(false).send().get();
      first.subscribeWith().topicFilter("t/#").qos(MqttQos.AT_LEAST_ONCE).send().get();
      first.disconnect().get();

      Mqtt3AsyncClient pub = client(uri, "pub");
      pub.connect().get();
      CompletableFuture<?>[] sent = new CompletableFuture<?>[n];
      for (int i = 0; i < n; i++) {
        sent[i] =
            pub.publishWith()
                .topic("t/a")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                .send();
      }
      CompletableFuture.allOf(sent).get();
      pub.disconnect().get();
      System.out.println("queued " + n + " for the offline session");

      BitSet got = new BitSet(n);
      AtomicInteger drops = new AtomicInteger();
      ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor();
      long last = System.nanoTime();
      int seen = -1;
      while (true) {
        Mqtt3AsyncClient c = client(uri, "s1", drops);
        c.publishes(
            MqttGlobalPublishFilter.ALL,
            p -> {
              synchronized (got) {
                got.set(
                    Integer.parseInt(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
              }
              acks.schedule(p::acknowledge, delayMs, TimeUnit.MILLISECONDS);
            },
            true);
        c.connectWith().cleanSession(false).send().get();
        // Drains until nothing new arrives for 10 s, looking twice a second: a by-hand tool that
        // reports what came, not a test that waits for a condition.
        while (c.getState().isConnected()) {
          Thread.sleep(500);
          int now;
          synchronized (got) {
            now = got.cardinality();
          }
          if (now != seen) {
            seen = now;
            last = System.nanoTime();
          } else if (System.nanoTime() - last > 10_000_000_000L) {
            break;
          }
        }
        if (c.getState().isConnected()) {
          c.disconnect().get();
          break;
        }
        if (System.nanoTime() - last > 60_000_000_000L) {
          break;
        }
        Thread.sleep(500); // then resumes the session, as the bridge's supervisor does
      }
      acks.shutdownNow();
      System.out.printf(
          "distinct messages received: %d of %d; connections dropped: %d%n",
          got.cardinality(), n, drops.get());
    }
  }

  private static Mqtt3AsyncClient client(URI uri, String id) {
    return client(uri, id, new AtomicInteger());
  }

  private static Mqtt3AsyncClient client(URI uri, String id, AtomicInteger drops) {
    return MqttClient.builder()
        .useMqttVersion3()
        .identifier(id)
        .serverHost(uri.getHost())
        .serverPort(uri.getPort())
        .addDisconnectedListener(
            ctx -> {
              if (ctx.getSource() != com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource.USER) {
                drops.incrementAndGet();
                System.out.println("dropped: " + ctx.getCause());
              }
            })
        .buildAsync();
  }
}
