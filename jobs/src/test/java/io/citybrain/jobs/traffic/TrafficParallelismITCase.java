package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.bench.JobBench;
import io.citybrain.jobs.common.InMemorySource;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The traffic job at parallelism 2 on a MiniCluster, fed from memory (no broker): the rows must be
 * those of parallelism 1. At 2, one vehicle's fixes come through both source subtasks, out of order
 * across them, and the segment and district windows are spread over two subtasks; the event-time
 * ordering and repeat removal, keyed by vehicle, must still count each fix once, in order. Repeated
 * deliveries (the bridge's at-least-once) are mixed in, some through the other subtask.
 */
class TrafficParallelismITCase {

  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();

  @Test
  void parallelismTwoWritesTheRowsOfParallelismOne() throws Exception {
    int vehicles = 200;
    List<Envelope> fixes = new ArrayList<>();
    ProbeFleet.drive(vehicles, 16, T0, fixes::add);
    // Every 10th vehicle's fix of round 8 at another vehicle's place, kilometres away.
    List<Envelope> driven = List.copyOf(fixes);
    for (int v = 0; v < vehicles; v += 10) {
      int i = 8 * vehicles + v;
      Envelope far = driven.get(8 * vehicles + (v + vehicles / 2) % vehicles);
      Envelope e = fixes.get(i);
      fixes.set(
          i,
          new Envelope(
              e.deviceId(),
              e.domain(),
              e.kind(),
              e.ts(),
              far.lat(),
              far.lon(),
              far.values(),
              e.receivedAt(),
              e.source()));
    }
    List<KafkaEvent> events = new ArrayList<>();
    for (int i = 0; i < fixes.size(); i++) {
      events.add(event(fixes.get(i)));
      // Every 7th fix again, 3 rounds later: a redelivery after a bridge restart.
      int again = i - 3 * vehicles;
      if (again >= 0 && again % 7 == 0) {
        events.add(event(fixes.get(again)));
      }
    }
    assertThat(events.size()).isGreaterThan(fixes.size());

    Rows one = run(events, 1);
    Rows two = run(events, 2);

    assertThat(one.deadLetters).as("impossible jumps").hasSizeGreaterThan(10);
    assertThat(one.deadLetters.values()).containsOnly("impossible-jump");
    assertThat(two.deadLetters).isEqualTo(one.deadLetters);
    // Each fix once: the segment rows hold every distinct fix but the jumps, and no repeat.
    assertThat(one.segments.values().stream().mapToLong(SegmentTraffic::samples).sum())
        .isEqualTo(fixes.size() - one.deadLetters.size());
    assertThat(one.segments).hasSizeGreaterThan(100);
    assertThat(one.districts).isNotEmpty();
    assertThat(two.segments.keySet()).isEqualTo(one.segments.keySet());
    assertThat(two.districts.keySet()).isEqualTo(one.districts.keySet());
    // Sums in another order may differ in the last bits; everything else is equal.
    one.segments.forEach(
        (key, a) -> {
          SegmentTraffic b = two.segments.get(key);
          assertThat(b.samples()).as("samples of %s", key).isEqualTo(a.samples());
          assertThat(b.speedKmh()).as("speed of %s", key).isCloseTo(a.speedKmh(), within());
          assertThat(b.tti()).as("tti of %s", key).isCloseTo(a.tti(), within());
          assertThat(b.vehicles()).as("vehicles of %s", key).isCloseTo(a.vehicles(), within());
        });
    one.districts.forEach(
        (key, a) -> {
          DistrictTraffic b = two.districts.get(key);
          assertThat(b.samples()).as("samples of %s", key).isEqualTo(a.samples());
          assertThat(b.level()).as("level of %s", key).isEqualTo(a.level());
          assertThat(b.tti()).as("tti of %s", key).isCloseTo(a.tti(), within());
          assertThat(b.meanSpeedKmh()).as("speed of %s", key).isCloseTo(a.meanSpeedKmh(), within());
          assertThat(b.congestedKm()).as("km of %s", key).isCloseTo(a.congestedKm(), within());
        });
    assertThat(two.alerts).isEqualTo(one.alerts);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }

  private static KafkaEvent event(Envelope e) {
    return new KafkaEvent(Topics.RAW_TRAFFIC, e.deviceId(), EnvelopeCodec.encode(e), e.ts());
  }

  /**
   * The last row of each segment or district and window (a re-emitted window replaces its row), and
   * the reasons of each device's dead letters. By device, not by offset: of two deliveries of one
   * reading the first to arrive is kept, and at parallelism 2 that may be the later one.
   */
  record Rows(
      Map<String, SegmentTraffic> segments,
      Map<String, DistrictTraffic> districts,
      int alerts,
      Map<String, String> deadLetters) {}

  private static Rows run(List<KafkaEvent> events, int parallelism) throws Exception {
    String p = "p" + parallelism + "-";
    // No store and no Kafka are reached: the sinks collect; no checkpoint falls in a run.
    JobBench.Local run = JobBench.local(parallelism);
    JobSettings s = run.settings();
    StreamExecutionEnvironment env = run.env();
    new TrafficJob(
            InMemorySource.spread(events),
            Collected.into(p + "segments"),
            Collected.into(p + "districts"),
            Collected.into(p + "alerts"),
            Collected.into(p + "dead"),
            new GeoSegmentMatcher(42),
            s)
        .build(env);
    env.execute("traffic at parallelism " + parallelism);
    return new Rows(
        JobBench.last(
            Collected.<SegmentTraffic>list(p + "segments"), t -> t.segment() + "@" + t.windowEnd()),
        JobBench.last(
            Collected.<DistrictTraffic>list(p + "districts"),
            t -> t.district() + "@" + t.windowEnd()),
        Collected.list(p + "alerts").size(),
        Collected.<DeadLetter>list(p + "dead").stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    DeadLetter::key, DeadLetter::reason, (a, b) -> a + "," + b, TreeMap::new)));
  }
}
