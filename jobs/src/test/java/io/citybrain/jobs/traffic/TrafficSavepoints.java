package io.citybrain.jobs.traffic;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.TestJobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * The fixed story the savepoint compatibility test tells, shared by the tool that writes a
 * savepoint ({@link TrafficSavepointWriter}) and the test that restores it ({@link
 * TrafficSavepointITCase}): a loop detector on one arterial of the city of seed 42 reports 10
 * vehicles at 50 km/h every minute from 00:00 to 05:59, then, in minute 06, 4 vehicles at 50 km/h
 * over 20 s — and the savepoint is taken there, with minute 06's window open and six minutes of
 * speed history in the incident operator. After the restore the detector reports 4 vehicles at 6
 * km/h over 20 s in minute 06, then 10 at 8 km/h in minutes 07 and 08.
 *
 * <p>Changing any of this invalidates the committed savepoints: write a new one (docs/traffic.md).
 */
final class TrafficSavepoints {
  private TrafficSavepoints() {}

  static final long T0 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  static final long MINUTE = 60_000L;
  static final String DETECTOR = "L-SAVEPOINT-1";

  /** Records before the savepoint: the restored source resumes at this offset of partition 0. */
  static final int BEFORE = 7;

  record Reading(long ts, double count, double speedKmh, double intervalS, double occupancy) {}

  static List<Reading> before() {
    List<Reading> r = new java.util.ArrayList<>();
    for (int m = 0; m < 6; m++) {
      r.add(new Reading(T0 + m * MINUTE + 30_000, 10, 50, 60, 0.1));
    }
    r.add(new Reading(T0 + 6 * MINUTE + 20_000, 4, 50, 20, 0.1));
    return r;
  }

  static List<Reading> after() {
    return List.of(
        new Reading(T0 + 6 * MINUTE + 40_000, 4, 6, 20, 0.6),
        new Reading(T0 + 7 * MINUTE + 30_000, 10, 8, 60, 0.5),
        // Moves the watermark past 08:00, closing the windows of minutes 06 and 07.
        new Reading(T0 + 8 * MINUTE + 30_000, 10, 8, 60, 0.5));
  }

  /**
   * The detector's place: the middle of the first arterial longer than 300 m, and the segment it
   * matches.
   */
  static Place place() {
    GeoSegmentMatcher matcher = new GeoSegmentMatcher(42);
    matcher.open();
    for (RoadSegment r : CityModel.generate(42).roads()) {
      if (!"arterial".equals(r.roadClass().wireName()) || r.lengthM() < 300) {
        continue;
      }
      LengthIndexedLine line = new LengthIndexedLine(r.geometry());
      Coordinate mid = line.extractPoint(line.getEndIndex() / 2);
      var m = matcher.match(mid.x, mid.y, null);
      if (m.isPresent() && m.get().segmentId().equals(r.id())) {
        return new Place(mid.x, mid.y, m.get());
      }
    }
    throw new IllegalStateException("no arterial of the city of seed 42 matches its own midpoint");
  }

  record Place(double lon, double lat, MatchedSegment segment) {}

  static JobSettings settings(String bootstrap) {
    // Checkpoints play no part: the state comes from the savepoint only.
    return TestJobs.settings(bootstrap).checkpointInterval(Duration.ofMinutes(30)).build();
  }

  /**
   * The current job, Kafka in, collecting sinks out; from {@code savepoint} when given, refusing
   * unclaimed state.
   */
  static JobClient start(String bootstrap, String savepoint) throws Exception {
    return start(bootstrap, savepoint, "hashmap");
  }

  static JobClient start(String bootstrap, String savepoint, String backend) throws Exception {
    StreamExecutionEnvironment env = TestJobs.local(1, savepoint, backend);
    JobSettings s = settings(bootstrap);
    JobEnvironment.configure(env, s);
    // With the live-roads input, as production runs it: savepoints of the builds before it restore
    // into it.
    new TrafficJob(
            KafkaIo.source(bootstrap, TrafficJob.NAME, Topics.RAW_TRAFFIC),
            io.citybrain.jobs.common.GeographyUpdates.source(bootstrap, "savepoint-geography"),
            Collected.<SegmentTraffic>into("segments"),
            Collected.<DistrictTraffic>into("districts"),
            Collected.<Alert>into("alerts"),
            Collected.<DeadLetter>into("deadletters"),
            new GeoSegmentMatcher(42),
            s)
        .build(env);
    return env.executeAsync(TrafficJob.NAME);
  }

  static int segmentRows() {
    return Collected.list("segments").size();
  }

  static int districtRows() {
    return Collected.list("districts").size();
  }

  static EmbeddedKafka kafka(Path dir) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of());
    TestJobs.createTopics(kafka.bootstrapServers(), 1, Topics.RAW_TRAFFIC);
    return kafka;
  }

  static void produce(String bootstrap, Place place, List<Reading> readings) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Reading r : readings) {
        Envelope e =
            new Envelope(
                DETECTOR,
                "traffic",
                "loop",
                r.ts(),
                place.lat(),
                place.lon(),
                Map.of(
                    "count",
                    r.count(),
                    "speedKmh",
                    r.speedKmh(),
                    "intervalS",
                    r.intervalS(),
                    "occupancy",
                    r.occupancy()),
                r.ts(),
                "mqtt");
        producer
            .send(
                new ProducerRecord<>(
                    Topics.RAW_TRAFFIC,
                    0,
                    r.ts(),
                    DETECTOR.getBytes(StandardCharsets.UTF_8),
                    EnvelopeCodec.encode(e)))
            .get();
      }
    }
  }
}
