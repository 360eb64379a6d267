package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end, on the real parts: a Paho client publishes to the embedded
 * broker; the bridge, Kafka, the Flink jobs on the MiniCluster, the store and alert dispatch do the
 * rest; the test reads the results where a user would find them.
 */
class LocalCityITCase {

  /** Event times are fixed instants, not the wall clock, so the window rows are exact. */
  private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");
  private static final DistrictIndex DISTRICTS = DistrictIndex.hangzhou();

  @TempDir
  static Path dataDir;

  private static LocalCity city;
  private static MqttClient device;

  @BeforeAll
  static void startCity() throws Exception {
    city = LocalCity.start(LocalCity.Options.ephemeral(dataDir), step -> {});
    device = new MqttClient(city.mqttUrl(), "it-device", new MemoryPersistence());
    device.connect(options());
  }

  @AfterAll
  static void stopCity() throws Exception {
    if (device != null) {
      device.disconnect();
      device.close();
    }
    if (city != null) {
      city.close();
    }
  }

  private static MqttConnectOptions options() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    return o;
  }

  private static void publish(String topic, String payload) throws Exception {
    publish(topic, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static void publish(String topic, byte[] payload) throws Exception {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    device.publish(topic, m);
  }

  private static double[] pointIn(String districtCode, long seed) {
    District d = DISTRICTS.districts().stream().filter(x -> x.code().equals(districtCode)).findFirst().orElseThrow();
    return DistrictIndex.randomPointIn(d, new Random(seed));
  }

  private static String loop(Instant ts, double[] p, double speed) {
    return String.format(Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"count\":12,\"intervalS\":60,\"speedKmh\":%.1f,\"occupancy\":0.2}",
        ts.toEpochMilli(), p[1], p[0], speed);
  }

  @Test
  void readingsBecomeOneRowPerDistrictAndMinuteInTheStore() throws Exception {
    double[] xihu = pointIn("330106", 1);
    double[] shangcheng = pointIn("330102", 2);
    publish("city/traffic/loop/it-loop-1", loop(T0.plusSeconds(10), xihu, 30));
    publish("city/traffic/loop/it-loop-1", loop(T0.plusSeconds(20), xihu, 40));
    // A probe, with its time as ISO-8601 with an offset (16:00:30+08:00 is 08:00:30Z).
    publish("city/traffic/probe/it-probe-2", String.format(Locale.ROOT,
        "{\"ts\":\"2026-01-05T16:00:30+08:00\",\"lat\":%.6f,\"lon\":%.6f,\"speedKmh\":50,\"headingDeg\":90}", xihu[1], xihu[0]));
    publish("city/traffic/loop/it-loop-3", loop(T0.plusSeconds(15), shangcheng, 20));
    publish("city/traffic/loop/it-loop-3", loop(T0.plusSeconds(45), shangcheng, 25));
    // Moves event time on by three minutes; the partition it does not land on goes idle.
    publish("city/traffic/loop/it-loop-9", loop(T0.plusSeconds(180), xihu, 60));

    String sql = "SELECT district, mean_speed_kmh, samples, timestamp FROM traffic_district "
        + "WHERE timestamp = '2026-01-05T08:01:00.000000Z' ORDER BY district";
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
        .until(() -> city.store().query(sql).size() == 2);
    assertThat(city.store().query(sql)).containsExactly(
        Map.of("district", "330102", "mean_speed_kmh", 22.5, "samples", 2, "timestamp", "2026-01-05T08:01:00.000000Z"),
        Map.of("district", "330106", "mean_speed_kmh", 40.0, "samples", 3, "timestamp", "2026-01-05T08:01:00.000000Z"));
  }

  @Test
  void unusableMessagesLandInTheDeadLetterTopicWithTheirReason() throws Exception {
    byte[] notJson = "speed=30;".getBytes(StandardCharsets.UTF_8);
    publish("city/traffic/loop/it-bad-1", notJson);
    double[] p = pointIn("330106", 3);
    publish("city/traffic/loop/it-bad-2", String.format(Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"intervalS\":60,\"speedKmh\":30,\"occupancy\":0.2}", T0.toEpochMilli(), p[1], p[0]));

    DeadLetter notJsonLetter = awaitDeadLetter("it-bad-1");
    assertThat(notJsonLetter.reason()).isEqualTo("not-json");
    assertThat(notJsonLetter.topic()).isEqualTo("city/traffic/loop/it-bad-1");
    assertThat(notJsonLetter.stage()).isEqualTo("bridge");
    assertThat(notJsonLetter.rawPayload()).isEqualTo(notJson);

    DeadLetter missing = awaitDeadLetter("it-bad-2");
    assertThat(missing.reason()).isEqualTo("missing-field");
    assertThat(missing.detail()).isEqualTo("missing field 'count'");
  }

  @Test
  void anSosPressReachesTheDistrictOverMqtt() throws Exception {
    BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(10);
    MqttClient officer = new MqttClient(city.mqttUrl(), "it-district-officer", new MemoryPersistence());
    officer.connect(options());
    try {
      officer.subscribe("city/alerts/district/330106", 1, (topic, m) -> received.add(m.getPayload()));
      double[] p = pointIn("330106", 4);
      long pressed = System.currentTimeMillis();
      long t = System.nanoTime();
      publish("city/emergency/sos/it-sos-1", String.format(Locale.ROOT,
          "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"pressed\":true}", pressed, p[1], p[0]));
      byte[] payload = received.poll(30, TimeUnit.SECONDS);
      long latencyMs = (System.nanoTime() - t) / 1_000_000;
      assertThat(payload).as("an alert on city/alerts/district/330106").isNotNull();
      System.out.println("SOS publish to alert delivery: " + latencyMs + " ms");

      Alert alert = Alert.fromJson(payload);
      assertThat(alert.alertId()).isEqualTo("sos-" + pressed + "-it-sos-1");
      assertThat(alert.kind()).isEqualTo("sos");
      assertThat(alert.severity()).isEqualTo("critical");
      assertThat(alert.state()).isEqualTo("raised");
      assertThat(alert.district()).isEqualTo("330106");
      assertThat(alert.ts()).isEqualTo(pressed);
      assertThat(alert.message()).contains("SOS").contains("紧急求助");
      assertThat(alert.evidence()).extracting(e -> e.deviceId()).containsExactly("it-sos-1");
    } finally {
      officer.disconnect();
      officer.close();
    }
  }

  @Test
  void twoSmokeAlarmsInOneBuildingAreOneFireAlert() throws Exception {
    try (AlertListener officer = new AlertListener("it-fire-officer", "city/alerts/district/330106")) {
      double[] p = pointIn("330106", 5);
      long first = System.currentTimeMillis();
      publish("city/emergency/smoke/it-smoke-1", smoke(first, p, "it-building-1"));
      Alert unconfirmed = officer.next("fire_unconfirmed");
      assertThat(unconfirmed.severity()).isEqualTo("warning");
      String alertId = "fire-" + first + "-it-building-1";
      assertThat(unconfirmed.alertId()).isEqualTo(alertId);

      publish("city/emergency/smoke/it-smoke-1", smoke(first + 1000, p, "it-building-1"));
      long t = System.nanoTime();
      publish("city/emergency/smoke/it-smoke-2", smoke(first + 2000, p, "it-building-1"));
      Alert fire = officer.next("fire");
      System.out.println("second smoke alarm publish to fire alert delivery: " + (System.nanoTime() - t) / 1_000_000 + " ms");
      assertThat(fire.alertId()).as("the fire replaces the unconfirmed alert").isEqualTo(alertId);
      assertThat(fire.severity()).isEqualTo("critical");
      assertThat(fire.evidence()).extracting(e -> e.deviceId()).containsExactly("it-smoke-1", "it-smoke-2");

      publish("city/emergency/smoke/it-smoke-3", smoke(first + 3000, p, "it-building-1"));
      Thread.sleep(2000); // long enough for a wrongly raised alert to arrive: the path takes ~200 ms
      assertThat(officer.all()).as("one alert per incident: two messages, unconfirmed then fire")
          .extracting(Alert::alertId, Alert::kind)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(alertId, "fire_unconfirmed"), org.assertj.core.groups.Tuple.tuple(alertId, "fire"));
    }
  }

  @Test
  void anUnansweredSosIsEscalatedAndThenAcknowledgedOverMqtt() throws Exception {
    try (AlertListener officer = new AlertListener("it-sos-officer", "city/alerts/district/330106")) {
      double[] p = pointIn("330106", 6);
      long pressed = System.currentTimeMillis();
      publish("city/emergency/sos/it-sos-2", String.format(Locale.ROOT,
          "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"pressed\":true}", pressed, p[1], p[0]));
      String alertId = "sos-" + pressed + "-it-sos-2";
      assertThat(officer.nextState(alertId, "raised").severity()).isEqualTo("critical");
      // Escalation is 3 s in the test city (5 minutes by default).
      assertThat(officer.nextState(alertId, "escalated").scope()).isEqualTo("district");

      publish("city/ack/" + alertId, "{\"by\":\"officer-li\"}");
      Alert acked = officer.nextState(alertId, "acknowledged");
      assertThat(acked.acknowledgedBy()).isEqualTo("officer-li");

      // Only this test acknowledges, so the district's mean time to acknowledge is this one's.
      String sql = "SELECT mean_ack_s FROM emergency_area WHERE district = '330106' AND mean_ack_s IS NOT NULL";
      await().atMost(Duration.ofSeconds(30)).until(() -> !city.store().query(sql).isEmpty());
      double meanAck = ((Number) city.store().query(sql).get(0).get("mean_ack_s")).doubleValue();
      assertThat(meanAck).isEqualTo((acked.ts() - pressed) / 1000.0);
    }
  }

  private static String smoke(long ts, double[] p, String building) {
    return String.format(Locale.ROOT, "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"alarm\":true,\"buildingId\":\"%s\"}",
        ts, p[1], p[0], building);
  }

  /** A subscriber that keeps every alert it receives, in order. */
  private static final class AlertListener implements AutoCloseable {
    private final MqttClient client;
    private final BlockingQueue<Alert> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    private final List<Alert> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    AlertListener(String clientId, String topic) throws Exception {
      client = new MqttClient(city.mqttUrl(), clientId, new MemoryPersistence());
      client.connect(options());
      client.subscribe(topic, 1, (t, m) -> {
        Alert a = Alert.fromJson(m.getPayload());
        seen.add(a);
        queue.add(a);
      });
    }

    Alert next(String kind) throws InterruptedException {
      return await(a -> a.kind().equals(kind), "an alert of kind " + kind);
    }

    Alert nextState(String alertId, String state) throws InterruptedException {
      return await(a -> a.alertId().equals(alertId) && a.state().equals(state), alertId + " in state " + state);
    }

    private Alert await(java.util.function.Predicate<Alert> wanted, String what) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        Alert a = queue.poll(500, TimeUnit.MILLISECONDS);
        if (a != null && wanted.test(a)) {
          return a;
        }
      }
      throw new AssertionError("no " + what + " within 30 s; received " + seen);
    }

    List<Alert> all() {
      return List.copyOf(seen);
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }

  private static DeadLetter awaitDeadLetter(String key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, city.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-deadletter-" + key);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(Topics.DEADLETTER));
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (key.equals(r.key())) {
            return DeadLetter.fromJson(r.value());
          }
        }
      }
    }
    throw new AssertionError("no dead letter with key " + key + " within 30 s");
  }
}
