package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Alert latency from {@code city.alerts} to an MQTT subscriber of the community topic, through the
 * dispatcher (which also writes each alert to the embedded store), against the floor measured in
 * the same run: a bare MQTT QoS 1 publish to the same subscriber through the same broker. Alerts
 * are sent one every {@code intervalMs}, so this is latency at a steady low rate, not saturation.
 * Not run by {@code verify}; see docs/benchmarks.md for the command.
 *
 * <p>Arguments: alerts (default 2000), interval in ms (default 5), {@code no-store} to leave the
 * store write out (to see its share).
 */
public final class AlertLatencyBenchmark {

  public static void main(String[] args) throws Exception {
    int alerts = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    long intervalMs = args.length > 1 ? Long.parseLong(args[1]) : 5;
    boolean withStore = args.length < 3 || !args[2].equals("no-store");
    Path dir = Files.createTempDirectory("citybrain-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
        EmbeddedQuestDb store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0)) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
      Map<String, Long> sent = new ConcurrentHashMap<>();
      Map<String, Long> latencyNanos = new ConcurrentHashMap<>();
      MqttClient subscriber =
          new MqttClient(broker.url(), "bench-subscriber", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      o.setMaxInflight(1000);
      subscriber.connect(o);
      subscriber.subscribe(
          "city/alerts/community/bench",
          1,
          (topic, m) -> {
            long now = System.nanoTime();
            String id =
                new String(m.getPayload(), StandardCharsets.UTF_8)
                    .replaceAll("(?s).*\"alertId\":\"([^\"]+)\".*", "$1");
            Long t0 = sent.get(id);
            if (t0 != null) {
              latencyNanos.putIfAbsent(id, now - t0);
            }
          });

      // The floor: the same subscriber, the same broker, a bare QoS 1 publish of the same bytes.
      MqttClient publisher =
          new MqttClient(broker.url(), "bench-publisher", new MemoryPersistence());
      publisher.connect(o);
      run(
          "bare MQTT publish -> subscriber",
          alerts,
          intervalMs,
          sent,
          latencyNanos,
          id -> {
            publisher.publish("city/alerts/community/bench", alert(id).toJson(), 1, false);
          });

      try (AlertDispatcher dispatcher =
              AlertDispatcher.start(
                  DispatchSettings.local(
                      kafka.bootstrapServers(),
                      broker.url(),
                      withStore
                          ? new InfluxSettings(store.url(), "citybrain", "citybrain", "bench")
                          : null));
          KafkaProducer<String, byte[]> producer =
              new KafkaProducer<>(
                  KafkaClients.reliableProducer(kafka.bootstrapServers(), "bench-alerts"))) {
        run(
            "city.alerts -> dispatcher" + (withStore ? " (+ store)" : "") + " -> subscriber",
            alerts,
            intervalMs,
            sent,
            latencyNanos,
            id -> {
              producer.send(new ProducerRecord<>(Topics.ALERTS, "bench", alert(id).toJson()));
            });
      }
      publisher.disconnect();
      subscriber.disconnect();
    }
    System.exit(0);
  }

  interface Send {
    void send(String id) throws Exception;
  }

  private static void run(
      String what,
      int alerts,
      long intervalMs,
      Map<String, Long> sent,
      Map<String, Long> latency,
      Send send)
      throws Exception {
    String prefix = what.substring(0, 4) + "-";
    int warmup = alerts / 5;
    for (int i = 0; i < warmup + alerts; i++) {
      String id = (i < warmup ? "warm-" : "") + prefix + i;
      sent.put(id, System.nanoTime());
      send.send(id);
      Thread.sleep(intervalMs);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline
        && latency.keySet().stream().filter(k -> k.startsWith(prefix)).count() < alerts) {
      Thread.sleep(100);
    }
    long[] ms =
        latency.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix))
            .mapToLong(Map.Entry::getValue)
            .sorted()
            .toArray();
    System.out.printf(
        "%-42s n=%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
        what,
        ms.length,
        ms[ms.length / 2] / 1e6,
        ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] / 1e6,
        ms[ms.length - 1] / 1e6);
  }

  private static Alert alert(String id) {
    return new Alert(
        id,
        "sos",
        Alert.SEVERITY_CRITICAL,
        Alert.STATE_RAISED,
        "330106",
        "bench",
        30.2445,
        120.1445,
        1_767_600_000_000L,
        "SOS 求助 / SOS call",
        null,
        null,
        null);
  }
}
