package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Json;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.bench.JobBench;
import io.citybrain.jobs.common.InMemorySource;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.traffic.Collected;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The emergency job at parallelism 2 on a MiniCluster, fed from memory (no broker): it must raise
 * the alerts of parallelism 1. At 2 the reports come from two partitions keyed by device, read at
 * their own speeds, so two detectors of one community reach the incident lifecycle in another
 * order; the per-device quota and the incidents per community must still come out the same. The job
 * runs in processing time: its area and ticket rows are per interval of the wall clock, so only
 * their totals are compared.
 */
class EmergencyParallelismITCase {

  @Test
  void parallelismTwoRaisesTheAlertsOfParallelismOne() throws Exception {
    // Fresh reports (older ones are stale), an alarm in one report of 10, so that devices raise
    // more than one incident and meet their quota.
    long t0 = System.currentTimeMillis() - 4 * 30_000;
    List<KafkaEvent> events = new ArrayList<>();
    EmergencyFleet.report(
        600,
        4,
        t0,
        30_000,
        10,
        e ->
            events.add(
                new KafkaEvent(
                    Topics.RAW_EMERGENCY, e.deviceId(), EnvelopeCodec.encode(e), e.ts())));

    // Every 97th report cut short in transit: each a dead letter, whichever subtask reads it.
    for (int i = 0; i < events.size(); i += 97) {
      KafkaEvent e = events.get(i);
      events.set(
          i,
          new KafkaEvent(
              e.topic(), e.key(), java.util.Arrays.copyOf(e.value(), 20), e.timestamp()));
    }

    Outcome one = run(events, 1);
    Outcome two = run(events, 2);

    assertThat(one.alerts).as("alerts by kind and community").hasSizeGreaterThan(10);
    assertThat(one.alerts.keySet())
        .anyMatch(k -> k.startsWith("fire_unconfirmed/"))
        .anyMatch(k -> k.startsWith("flood/"))
        .anyMatch(k -> k.startsWith("sos/"));
    assertThat(two.alerts).isEqualTo(one.alerts);
    assertThat(one.deadLetters).as("cut-short reports").hasSize(events.size() / 97 + 1);
    assertThat(two.deadLetters).isEqualTo(one.deadLetters);
  }

  record Outcome(Map<String, Long> alerts, Map<String, Long> deadLetters) {}

  private static Outcome run(List<KafkaEvent> events, int parallelism) throws Exception {
    String p = "emergency-p" + parallelism + "-";
    JobBench.Local run = JobBench.local(parallelism);
    JobSettings s = run.settings();
    StreamExecutionEnvironment env = run.env();
    // Nobody acknowledges during the run: one acknowledgement of an alert this job never raised,
    // which it ignores; nothing replaced in the geography: one record of a layer it does not read.
    byte[] stray =
        Json.MAPPER.writeValueAsBytes(
            new Ack("none", "nobody", t0(events), "operator", "city", null, Ack.ACKNOWLEDGE, null));
    new EmergencyJob(
            InMemorySource.keyed(p + "reports", events, parallelism),
            InMemorySource.spread(List.of(new KafkaEvent(Topics.ACKS, "none", stray, t0(events)))),
            InMemorySource.spread(
                List.of(new KafkaEvent(Topics.GEOGRAPHY, "roads", new byte[0], t0(events)))),
            Collected.into(p + "alerts"),
            Collected.into(p + "dead"),
            Collected.into(p + "areas"),
            Collected.into(p + "tickets"),
            new GeoLocator(42L),
            EmergencySettings.defaults())
        .build(env);
    env.execute("emergency at parallelism " + parallelism);
    return new Outcome(
        JobBench.count(
            Collected.<Alert>list(p + "alerts"),
            a -> a.kind() + "/" + a.district() + "/" + a.community() + "/" + a.state()),
        JobBench.count(Collected.<DeadLetter>list(p + "dead"), d -> d.reason() + "/" + d.key()));
  }

  private static long t0(List<KafkaEvent> events) {
    return events.get(0).timestamp();
  }
}
