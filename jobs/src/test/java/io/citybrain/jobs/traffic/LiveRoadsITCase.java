package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.geography.GeographyPublisher;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import io.citybrain.jobs.common.GeographyUpdates;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.TestJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Road works while the traffic job runs: a loop detector counts on an arterial every event-time
 * minute; mid-stream an operator publishes a roads layer in which that arterial is gone and a new
 * street ({@code r-works-1}) runs where it was; later a roads layer with a road in no district;
 * then the job is stopped with a savepoint and restored.
 *
 * <p>Asserted: the detector's readings go to the old segment until the task reads the layer, then
 * to the new street and never back; the old segment's windows close normally; every reading is in
 * exactly one segment row of its minute (nothing lost, nothing doubled); the bad layer is one
 * {@code bad-geography} dead letter and changes nothing; after the restore the new roads hold
 * without being published again.
 */
class LiveRoadsITCase {

  private static final long T0 = TrafficSavepoints.T0;
  private static final long MINUTE = TrafficSavepoints.MINUTE;
  private static final String DETECTOR = "L-LIVE-ROADS-1";
  private static final String NEW_STREET = "r-works-1";
  private static final int READINGS_PER_MINUTE = 3;

  @Test
  void aReplacedRoadsLayerAppliesMidStreamLosesNothingRefusesBadRoadsAndSurvivesARestore(
      @TempDir Path dir) throws Exception {
    TrafficSavepoints.Place place = TrafficSavepoints.place();
    String old = place.segment().segmentId();
    CityModel city = CityModel.generate(42);
    byte[] works = roadsLayer(city, old, "roadworks-1", "330106");
    byte[] bad = roadsLayer(city, old, "bad-1", "999999");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
      String bootstrap = kafka.bootstrapServers();
      TestJobs.createTopics(bootstrap, 1, Topics.RAW_TRAFFIC);
      Feed feed = new Feed(producer, place);
      JobClient job = start(bootstrap, null);
      long m = 0;
      long switched;
      try {
        for (; m < 3; m++) {
          feed.minute(m);
        }
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> closedMinutes().contains(1L));
        assertThat(rows()).isNotEmpty().allMatch(r -> r.segment().equals(old));
        GeographyPublisher.publish(bootstrap, "roads", works);
        long published = m;
        while (rows().stream().noneMatch(r -> r.segment().equals(NEW_STREET))
            && m < published + 30) {
          feed.minute(m++);
          Thread.sleep(300);
        }
        switched =
            rows().stream()
                .filter(r -> r.segment().equals(NEW_STREET))
                .mapToLong(LiveRoadsITCase::minuteOf)
                .min()
                .orElseThrow(
                    () -> new AssertionError("the new street never had a row; rows " + rows()));
        GeographyPublisher.publish(bootstrap, "roads", bad);
        for (long end = m + 4; m < end; m++) {
          feed.minute(m);
          Thread.sleep(100);
        }
        long lastClosed = m - 2;
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> closedMinutes().contains(lastClosed) && badGeography().size() == 1);
        assertThat(badGeography())
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.stage()).isEqualTo("traffic");
                  assertThat(d.key()).isEqualTo("roads");
                  assertThat(d.detail()).contains("999999");
                });
        job.stopWithSavepoint(
                false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get();
      } catch (Exception | AssertionError e) {
        job.cancel();
        throw e;
      }
      List<SegmentTraffic> beforeRestore = rows();
      JobClient restored = start(bootstrap, latestSavepoint(dir.resolve("savepoints")));
      long firstAfterRestore = m;
      try {
        for (long end = m + 4; m < end; m++) {
          feed.minute(m);
          Thread.sleep(100);
        }
        long lastClosed = m - 2;
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> closedMinutes().contains(lastClosed));
      } finally {
        restored.cancel().get();
      }
      // The restored job's sinks collect afresh (Collected.into starts a new list).
      List<SegmentTraffic> afterRestore = rows();
      assertThat(afterRestore)
          .as("after the restore, with nothing republished")
          .filteredOn(r -> minuteOf(r) >= firstAfterRestore)
          .isNotEmpty()
          .allMatch(r -> r.segment().equals(NEW_STREET));
      List<SegmentTraffic> all = new ArrayList<>(beforeRestore);
      all.addAll(afterRestore);
      assertThat(all)
          .filteredOn(r -> minuteOf(r) > switched)
          .allMatch(r -> r.segment().equals(NEW_STREET));
      assertThat(all)
          .filteredOn(r -> minuteOf(r) < switched)
          .allMatch(r -> r.segment().equals(old));
      // Every reading in exactly one row of its minute, across the switch and the restore.
      Map<Long, Long> samples =
          latestPerSegmentAndMinute(all).stream()
              .collect(
                  Collectors.groupingBy(
                      LiveRoadsITCase::minuteOf, Collectors.summingLong(SegmentTraffic::samples)));
      for (long minute = 0; minute <= m - 2; minute++) {
        assertThat(samples.get(minute))
            .as("readings counted in minute %d (switch in %d)", minute, switched)
            .isEqualTo((long) READINGS_PER_MINUTE);
      }
    }
  }

  /**
   * The city's roads without {@code removed}, and a new street on its geometry in {@code district}.
   */
  private static byte[] roadsLayer(
      CityModel city, String removed, String version, String district) {
    List<RoadSegment> roads = new ArrayList<>();
    for (RoadSegment r : city.roads()) {
      if (r.id().equals(removed)) {
        roads.add(
            new RoadSegment(
                NEW_STREET,
                r.roadClass(),
                r.freeFlowKmh(),
                r.lengthM(),
                r.oneway(),
                district,
                r.geometry()));
      } else {
        roads.add(r);
      }
    }
    String geojson = new String(CityGeoJson.roads(roads), StandardCharsets.UTF_8);
    return geojson
        .replaceFirst(
            "\\{\"type\":\"FeatureCollection\"",
            "{\"type\":\"FeatureCollection\",\"version\":\"" + version + "\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A late reading re-emits a window; the latest row of a segment's minute is the one in the store.
   */
  private static List<SegmentTraffic> latestPerSegmentAndMinute(List<SegmentTraffic> rows) {
    Map<String, SegmentTraffic> latest = new java.util.LinkedHashMap<>();
    rows.forEach(r -> latest.put(r.segment() + "@" + r.windowEnd(), r));
    return List.copyOf(latest.values());
  }

  private static long minuteOf(SegmentTraffic r) {
    return (r.windowEnd() - T0) / MINUTE - 1;
  }

  private static List<SegmentTraffic> rows() {
    return List.copyOf(Collected.<SegmentTraffic>list("live-roads-segments"));
  }

  private static java.util.Set<Long> closedMinutes() {
    return rows().stream().map(LiveRoadsITCase::minuteOf).collect(Collectors.toSet());
  }

  private static List<DeadLetter> badGeography() {
    return Collected.<DeadLetter>list("live-roads-deadletters").stream()
        .filter(d -> "bad-geography".equals(d.reason()))
        .toList();
  }

  private static JobClient start(String bootstrap, String savepoint) throws Exception {
    StreamExecutionEnvironment env = TestJobs.local(1, savepoint);
    JobSettings s =
        TestJobs.settings(bootstrap)
            .checkpointInterval(Duration.ofSeconds(2))
            .idleness(Duration.ofSeconds(3))
            .build();
    JobEnvironment.configure(env, s);
    new TrafficJob(
            KafkaIo.source(bootstrap, TrafficJob.NAME, Topics.RAW_TRAFFIC),
            GeographyUpdates.source(bootstrap, "it-traffic-geography"),
            Collected.<SegmentTraffic>into("live-roads-segments"),
            Collected.<DistrictTraffic>into("live-roads-districts"),
            Collected.<Alert>into("live-roads-alerts"),
            Collected.<DeadLetter>into("live-roads-deadletters"),
            new GeoSegmentMatcher(42),
            s)
        .build(env);
    return env.executeAsync(TrafficJob.NAME);
  }

  /** Three loop readings per event-time minute, at 10, 30 and 50 s. */
  private record Feed(KafkaProducer<byte[], byte[]> producer, TrafficSavepoints.Place place) {
    void minute(long m) throws Exception {
      for (int i = 0; i < READINGS_PER_MINUTE; i++) {
        long ts = T0 + m * MINUTE + 10_000 + i * 20_000L;
        Envelope e =
            new Envelope(
                DETECTOR,
                "traffic",
                "loop",
                ts,
                place.lat(),
                place.lon(),
                Map.of("count", 5, "speedKmh", 40.0, "intervalS", 20, "occupancy", 0.1),
                ts,
                "mqtt");
        producer
            .send(
                new ProducerRecord<>(
                    Topics.RAW_TRAFFIC,
                    0,
                    ts,
                    DETECTOR.getBytes(StandardCharsets.UTF_8),
                    EnvelopeCodec.encode(e)))
            .get();
      }
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  private static String latestSavepoint(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(d -> Files.exists(d.resolve("_metadata")))
          .findFirst()
          .orElseThrow()
          .toUri()
          .toString();
    }
  }
}
