package io.citybrain.deploy.bench;

import io.citybrain.contract.Alert;
import io.citybrain.deploy.LocalCity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Latency from the second smoke alarm's MQTT publish to the {@code fire} alert's MQTT delivery,
 * through the whole local city (broker, bridge, Kafka, emergency job, Kafka, dispatch, broker). Not
 * part of the test suite; run by hand (see docs/benchmarks.md). Prints p50/p90/p99/max.
 */
public final class FireAlertLatencyBenchmark {

  public static void main(String[] args) throws Exception {
    int incidents = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Path dir = Files.createTempDirectory("citybrain-bench");
    try (LocalCity city = LocalCity.start(LocalCity.Options.ephemeral(dir), step -> {})) {
      Map<String, CountDownLatch> unconfirmed = new ConcurrentHashMap<>();
      Map<String, CountDownLatch> confirmed = new ConcurrentHashMap<>();
      Map<String, Long> arrivedNanos = new ConcurrentHashMap<>();
      MqttClient officer = new MqttClient(city.mqttUrl(), "bench-officer", new MemoryPersistence());
      MqttClient devices = new MqttClient(city.mqttUrl(), "bench-devices", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setMaxInflight(1000);
      officer.connect(o);
      devices.connect(o);
      // The unconfirmed alarm is the community's alone (alerts are routed by scope); the fire goes
      // to both topics and counts on its first arrival.
      IMqttMessageListener listener =
          (t, m) -> {
            long now = System.nanoTime();
            Alert a = Alert.fromJson(m.getPayload());
            if ("fire".equals(a.kind())) {
              arrivedNanos.putIfAbsent(a.alertId(), now);
              confirmed.computeIfAbsent(a.alertId(), k -> new CountDownLatch(1)).countDown();
            } else {
              unconfirmed.computeIfAbsent(a.alertId(), k -> new CountDownLatch(1)).countDown();
            }
          };
      officer.subscribe("city/alerts/district/+", 1, listener);
      officer.subscribe("city/alerts/community/+", 1, listener);
      long[] latencies = new long[incidents];
      long t0 = System.currentTimeMillis();
      for (int i = 0; i < incidents + 20; i++) {
        // The first 20 incidents warm up the JIT and the connections and are not counted.
        String building = "bench-b-" + i;
        long ts = t0 + i;
        String alertId = "fire-" + ts + "-" + building;
        unconfirmed.computeIfAbsent(alertId, k -> new CountDownLatch(1));
        confirmed.computeIfAbsent(alertId, k -> new CountDownLatch(1));
        publish(devices, "city/emergency/smoke/bench-s1-" + i, smoke(ts, building));
        // The jobs are still starting when the city returns (the emergency job builds its city
        // model first), so the first incident may wait for them on a loaded machine.
        if (!unconfirmed.get(alertId).await(i == 0 ? 120 : 10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no fire_unconfirmed for " + alertId);
        }
        long sent = System.nanoTime();
        publish(devices, "city/emergency/smoke/bench-s2-" + i, smoke(ts + 1, building));
        if (!confirmed.get(alertId).await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no fire for " + alertId);
        }
        if (i >= 20) {
          latencies[i - 20] = (arrivedNanos.get(alertId) - sent) / 1000;
        }
      }
      Arrays.sort(latencies);
      System.out.printf(
          Locale.ROOT,
          "fire alert latency over %d incidents (ms): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
          incidents,
          pct(latencies, 0.50),
          pct(latencies, 0.90),
          pct(latencies, 0.99),
          latencies[incidents - 1] / 1000.0);
      officer.disconnect();
      devices.disconnect();
    }
    System.exit(0);
  }

  private static double pct(long[] sortedMicros, double p) {
    return sortedMicros[
            Math.min(sortedMicros.length - 1, (int) Math.ceil(p * sortedMicros.length) - 1)]
        / 1000.0;
  }

  private static String smoke(long ts, String building) {
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"alarm\":true,\"buildingId\":\"%s\"}",
        ts,
        building);
  }

  private static void publish(MqttClient c, String topic, String json) throws Exception {
    MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    c.publish(topic, m);
  }
}
