package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.bench.JobBench;
import io.citybrain.jobs.common.InMemorySource;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.traffic.Collected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The utility job at parallelism 2 on a MiniCluster, fed from memory (no broker): its rows must be
 * those of parallelism 1. At 2 the readings come from two partitions keyed by meter, read at their
 * own speeds (as the bridge writes them to Kafka), and the zones are spread over two subtasks of
 * the zone monitor.
 */
class UtilityParallelismITCase {

  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();

  @Test
  void parallelismTwoWritesTheRowsOfParallelismOne() throws Exception {
    List<KafkaEvent> events = new ArrayList<>();
    MeterFleet.read(
        300,
        20,
        T0,
        e ->
            events.add(
                new KafkaEvent(Topics.RAW_UTILITY, e.deviceId(), EnvelopeCodec.encode(e), e.ts())));

    Rows one = run(events, 1);
    Rows two = run(events, 2);

    assertThat(one.deadLetters).isEmpty();
    assertThat(one.zones).hasSizeGreaterThan(20);
    assertThat(one.zones.values().stream().mapToLong(UtilityZone::metersReporting).sum())
        .as("readings behind the zone rows")
        .isPositive();
    Comparator<Double> close =
        (a, b) -> Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)) ? 0 : Double.compare(a, b);
    assertThat(two.zones)
        .usingRecursiveComparison()
        .withComparatorForType(close, Double.class)
        .isEqualTo(one.zones);
    assertThat(two.hourly)
        .usingRecursiveComparison()
        .withComparatorForType(close, Double.class)
        .isEqualTo(one.hourly);
    assertThat(two.nightFlow)
        .usingRecursiveComparison()
        .withComparatorForType(close, Double.class)
        .isEqualTo(one.nightFlow);
    assertThat(two.alerts).isEqualTo(one.alerts);
    assertThat(two.deadLetters).isEqualTo(one.deadLetters);
  }

  /**
   * The last row of each key (a re-emitted window replaces its row); alerts and dead letters by
   * device.
   */
  record Rows(
      Map<String, UtilityZone> zones,
      Map<String, UtilityZone> hourly,
      Map<String, NightFlow> nightFlow,
      Map<String, Long> alerts,
      Map<String, Long> deadLetters) {}

  private static Rows run(List<KafkaEvent> events, int parallelism) throws Exception {
    String p = "utility-p" + parallelism + "-";
    // No store and no Kafka are reached: the sinks collect; no checkpoint falls in a run.
    JobBench.Local run = JobBench.local(parallelism);
    JobSettings s = run.settings();
    StreamExecutionEnvironment env = run.env();
    new UtilityJob(
            InMemorySource.keyed(p + "readings", events, parallelism),
            // Nothing replaced: one record of a layer this job does not read, which it ignores.
            InMemorySource.spread(
                List.of(new KafkaEvent(Topics.GEOGRAPHY, "roads", new byte[0], T0))),
            Collected.into(p + "zones"),
            Collected.into(p + "hourly"),
            Collected.into(p + "night"),
            Collected.into(p + "alerts"),
            Collected.into(p + "dead"),
            new GeoZoneLocator(42L),
            s,
            UtilitySettings.defaults())
        .build(env);
    env.execute("utility at parallelism " + parallelism);
    Function<UtilityZone, String> zoneKey = z -> z.zone() + "/" + z.utility() + "@" + z.windowEnd();
    return new Rows(
        JobBench.last(Collected.list(p + "zones"), zoneKey),
        JobBench.last(Collected.list(p + "hourly"), zoneKey),
        JobBench.last(Collected.<NightFlow>list(p + "night"), n -> n.zone() + "@" + n.nightEnd()),
        JobBench.count(Collected.<Alert>list(p + "alerts"), a -> a.alertId() + "/" + a.state()),
        JobBench.count(Collected.<DeadLetter>list(p + "dead"), d -> d.reason() + "/" + d.key()));
  }
}
