package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.EventTimeOrder;
import io.citybrain.jobs.common.KafkaCoordinate;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TrafficOperatorsHarnessTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final long MINUTE = 60_000L;

  private static ProbeFix probe(String id, long ts, double lon, double lat) {
    return new ProbeFix(
        id,
        "probe",
        ts,
        lon,
        lat,
        30,
        90.0,
        1,
        0,
        0,
        new KafkaCoordinate("city.raw.traffic", 0, ts));
  }

  @Test
  void anImpossibleJumpIsADeadLetterAndTheLastFixIsKeptForTenMinutesOfEventTime() throws Exception {
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new EventTimeOrder<>(
                    TypeInformation.of(ProbeFix.class),
                    ProbeFix::ts,
                    Duration.ofMinutes(2),
                    new JumpFilter(200, Duration.ofMinutes(10)))),
            ProbeFix::deviceId,
            Types.STRING)) {
      h.open();
      h.processElement(new StreamRecord<>(probe("P-1", T0, 120.14, 30.25)));
      // 1.1 km in 10 s is 400 km/h.
      h.processElement(new StreamRecord<>(probe("P-1", T0 + 10_000, 120.14, 30.26)));
      // 111 m in 11 s after the last good fix is 36 km/h; it came first, yet is judged in order.
      h.processElement(new StreamRecord<>(probe("P-1", T0 + 11_000, 120.14, 30.251)));
      h.processWatermark(new Watermark(T0 + 20_000));
      assertThat(h.extractOutputValues()).extracting(ProbeFix::lat).containsExactly(30.25, 30.251);
      // The dead letter names where the refused fix's record is; the job no longer holds its bytes.
      assertThat(h.getSideOutput(DeadLetters.TAG))
          .extracting(r -> (DeadLetter) r.getValue())
          .allSatisfy(
              d -> {
                assertThat(d.topic()).isEqualTo("city.raw.traffic");
                assertThat(d.partition()).isZero();
                assertThat(d.offset()).isPositive();
                assertThat(d.payload()).isEmpty();
              });
      assertThat(h.getSideOutput(DeadLetters.TAG))
          .extracting(r -> ((DeadLetter) r.getValue()).reason())
          .containsExactly("impossible-jump");

      // Five minutes on the remembered times are gone, the last fix is not: 33 km in six minutes
      // (330 km/h) is refused.
      h.processWatermark(new Watermark(T0 + 5 * MINUTE));
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      h.processElement(new StreamRecord<>(probe("P-1", T0 + 6 * MINUTE, 120.14, 30.55)));
      h.processWatermark(new Watermark(T0 + 7 * MINUTE));
      assertThat(h.extractOutputValues()).hasSize(2);
      assertThat(h.getSideOutput(DeadLetters.TAG)).hasSize(2);

      // Ten minutes after the last accepted fix the track lets it go, and then the vehicle's
      // state and timers are gone.
      h.processWatermark(new Watermark(T0 + 11_000 + 10 * MINUTE + 30_000));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
      // A fix far away is then a fresh start.
      h.processElement(new StreamRecord<>(probe("P-1", T0 + 12 * MINUTE, 120.20, 30.30)));
      h.processWatermark(new Watermark(T0 + 13 * MINUTE));
      assertThat(h.extractOutputValues()).hasSize(3);
    }
  }

  @Test
  void aSegmentThatStopsReportingResolvesItsIncidentAndFreesItsState() throws Exception {
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new SegmentIncidents(IncidentRule.defaults())),
            SegmentTraffic::segment,
            Types.STRING)) {
      h.open();
      for (int m = 0; m < 8; m++) {
        double speed = m < 7 ? 50 : 10;
        h.processElement(
            new StreamRecord<>(
                new SegmentTraffic(
                    "r-9",
                    "330106",
                    "arterial",
                    60,
                    500,
                    120.14,
                    30.25,
                    T0 + m * MINUTE,
                    speed,
                    null,
                    null,
                    TrafficIndicators.tti(60, speed),
                    10,
                    10)));
        h.processWatermark(new Watermark(T0 + m * MINUTE));
      }
      assertThat(h.extractOutputValues()).extracting(Alert::state).containsExactly("raised");
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      h.processWatermark(new Watermark(T0 + 7 * MINUTE + 15 * MINUTE));
      assertThat(h.extractOutputValues())
          .extracting(Alert::state)
          .containsExactly("raised", "resolved");
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }
}
