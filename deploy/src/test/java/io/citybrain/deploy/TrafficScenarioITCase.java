package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEventDeserializer;
import io.citybrain.jobs.traffic.DistrictTraffic;
import io.citybrain.jobs.traffic.GeoSegmentMatcher;
import io.citybrain.jobs.traffic.SegmentTraffic;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.simulators.Chaos;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Publisher;
import io.citybrain.simulators.Scenario;
import io.citybrain.simulators.Simulation;
import io.citybrain.simulators.Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic job on a simulated morning: from 06:30 local time the roads fill towards the rush
 * hour, and from 06:40 to 07:00 a crash blocks one named arterial. The simulator publishes over
 * MQTT at 60× real time; everything else is the local city.
 */
class TrafficScenarioITCase {

  /** 06:30 in Hangzhou on 6 January 2026. */
  private static final Instant START = Instant.parse("2026-01-05T22:30:00Z");

  private static final Duration LENGTH = Duration.ofMinutes(40);

  @TempDir static Path dataDir;

  private static LocalCity city;
  private static Fleet fleet;

  @BeforeAll
  static void playTheMorning() throws Exception {
    // The scenario is a fixed evening of January 2026: recorded history to the bridge, so its
    // bridge.max-reading-age is off (0); the other timestamp rules stay on. On Debian's Mosquitto
    // (./citybrain local --broker mosquitto): the scenario is published as fast as the broker takes
    // it, which Moquette's window of ten in-flight messages held back (issue 22).
    city =
        LocalCity.start(
            LocalCity.Options.ephemeral(dataDir)
                .withMaxReadingAge(IngestValidator.NO_AGE_LIMIT)
                .withMosquitto(true),
            step -> {});
    assertThat(city.endpoints())
        .anyMatch(l -> l.startsWith("MQTT broker") && l.contains("mosquitto"));
    fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(42), 400, 42);
    Stats stats = new Stats();
    try (Publisher publisher =
        new Publisher(
            new Publisher.Target(city.mqttUrl(), "it-sim", null, null, 1), 0, null, stats)) {
      new Simulation(
              fleet, new Simulation.Settings(42, Scenario.INCIDENT, 60, LENGTH, START, Chaos.NONE))
          .run(publisher, stats, () -> false, line -> {});
    }
    assertThat(stats.failed()).isZero();
  }

  @AfterAll
  static void stop() {
    if (city != null) {
      city.close();
    }
  }

  private static String at(int minute) {
    return "'" + START.plus(Duration.ofMinutes(minute)) + "'";
  }

  @Test
  void theDistrictFillsUpAndTheCrashRaisesExactlyOneIncident() {
    String district =
        "SELECT timestamp, level, tti FROM traffic_district WHERE district = '330106' ORDER BY timestamp";
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> city.store().query(district).size() >= 35);
    List<Map<String, Object>> rows = city.store().query(district);
    int first = ((Number) rows.get(0).get("level")).intValue();
    int peak =
        rows.stream().mapToInt(r -> ((Number) r.get("level")).intValue()).max().orElseThrow();
    assertThat(first).as("06:31 is still smooth or slow").isLessThanOrEqualTo(1);
    assertThat(peak).as("towards 07:10 the district is congested").isGreaterThanOrEqualTo(2);

    List<Alert> incidents = new ArrayList<>();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              incidents.clear();
              incidents.addAll(alerts("traffic_incident"));
              return incidents.stream().anyMatch(a -> a.state().equals("resolved"));
            });
    assertThat(incidents.stream().map(Alert::alertId).distinct())
        .as("one alert id for the one incident")
        .hasSize(1);
    assertThat(incidents.get(0).alertId()).endsWith("-" + fleet.incidentSegment());
    assertThat(incidents.get(0).state()).isEqualTo("raised");
    assertThat(incidents.get(incidents.size() - 1).state()).isEqualTo("resolved");
    long raisedAt = incidents.get(0).ts();
    assertThat(raisedAt)
        .as("raised within a few minutes of the crash at 06:40")
        .isBetween(
            START.plus(Duration.ofMinutes(10)).toEpochMilli(),
            START.plus(Duration.ofMinutes(14)).toEpochMilli());
  }

  @Test
  void aReplayOfTheSameKafkaRangeGivesTheSameRows() throws Exception {
    String segments =
        "SELECT timestamp, segment, speed_kmh, flow_vph, occupancy, tti, samples FROM traffic_segment WHERE timestamp <= "
            + at(36)
            + " ORDER BY timestamp, segment";
    String districts =
        "SELECT timestamp, district, tti, level, mean_speed_kmh, congested_km, samples FROM traffic_district WHERE timestamp <= "
            + at(36)
            + " ORDER BY timestamp, district";
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                !city.store()
                    .query("SELECT * FROM traffic_district WHERE timestamp = " + at(36))
                    .isEmpty());
    List<Map<String, Object>> liveSegments = stable(segments);
    List<Map<String, Object>> liveDistricts = stable(districts);
    assertThat(liveSegments).hasSizeGreaterThan(500);

    JobSettings s = city.jobSettings();
    KafkaSource<io.citybrain.jobs.common.KafkaEvent> bounded =
        KafkaSource.<io.citybrain.jobs.common.KafkaEvent>builder()
            .setBootstrapServers(s.kafkaBootstrap())
            .setTopics(Topics.RAW_TRAFFIC)
            .setGroupId("it-replay")
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.latest())
            .setDeserializer(new KafkaEventDeserializer())
            .build();
    TrafficJob replay =
        new TrafficJob(
            bounded,
            InfluxSink.<SegmentTraffic>builder()
                .settings(s.influx())
                .converter(TrafficJob::toPoint)
                .build(),
            InfluxSink.<DistrictTraffic>builder()
                .settings(s.influx())
                .converter(TrafficJob::toPoint)
                .build(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new GeoSegmentMatcher(42),
            s);
    JobID id = city.run("traffic-replay", replay::build);
    city.flink().requestJobResult(id).get(3, TimeUnit.MINUTES);

    SameRows.assertSameRows(stable(segments), liveSegments, "traffic_segment");
    SameRows.assertSameRows(stable(districts), liveDistricts, "traffic_district");
  }

  /**
   * The query's rows once two reads three seconds apart agree (the store applies writes
   * asynchronously).
   */
  private static List<Map<String, Object>> stable(String sql) throws InterruptedException {
    List<Map<String, Object>> last = city.store().query(sql);
    for (int i = 0; i < 20; i++) {
      Thread.sleep(3000);
      List<Map<String, Object>> now = city.store().query(sql);
      if (now.equals(last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static List<Alert> alerts(String kind) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, city.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-alerts-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<Alert> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(Topics.ALERTS));
      long deadline = System.currentTimeMillis() + 5_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Alert a = Alert.fromJson(r.value());
          if (a.kind().equals(kind)) {
            out.add(a);
          }
        }
      }
    }
    out.sort(java.util.Comparator.comparingLong(Alert::ts));
    return out;
  }
}
