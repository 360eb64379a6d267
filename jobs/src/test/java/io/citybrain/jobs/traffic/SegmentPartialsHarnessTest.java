package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.jobs.common.KafkaCoordinate;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The sums a task sends to the segments' windows in place of its readings (issue 22). */
class SegmentPartialsHarnessTest {

  private static final long MINUTE = 60_000L;
  private static final long T0 = 29_460_000 * MINUTE;
  private static final MatchedSegment A =
      new MatchedSegment("a", "330106", "arterial", 60, 500, 0, 0);
  private static final MatchedSegment B =
      new MatchedSegment("b", "330106", "arterial", 60, 500, 0, 0);

  private static StreamRecord<TrafficObservation> reading(MatchedSegment s, long ts, double kmh) {
    return new StreamRecord<>(
        new TrafficObservation(
            "P-" + ts, s, ts, kmh, 1, 0, 0, new KafkaCoordinate("city.raw.traffic", 0, ts)),
        ts);
  }

  private static OneInputStreamOperatorTestHarness<TrafficObservation, SegmentPartial> harness()
      throws Exception {
    var h = new OneInputStreamOperatorTestHarness<>(new SegmentPartials(MINUTE));
    h.open();
    return h;
  }

  private static List<SegmentPartial> sent(
      OneInputStreamOperatorTestHarness<TrafficObservation, SegmentPartial> h) {
    return h.extractOutputValues();
  }

  @Test
  void aWindowsReadingsLeaveAsOneSumPerSegmentBeforeTheWatermarkThatClosesIt() throws Exception {
    try (var h = harness()) {
      h.processElement(reading(A, T0 + 1_000, 40));
      h.processElement(reading(A, T0 + 2_000, 20));
      h.processElement(reading(B, T0 + 3_000, 50));
      h.processElement(reading(A, T0 + MINUTE + 1_000, 30));
      h.processWatermark(new Watermark(T0 + MINUTE - 2));
      assertThat(sent(h)).isEmpty();

      h.processWatermark(new Watermark(T0 + MINUTE - 1));
      // The sums, at their window's last millisecond, then the watermark that closes the window.
      List<Object> out = List.copyOf(h.getOutput());
      assertThat(out).hasSize(4);
      assertThat(out.get(0)).isEqualTo(new Watermark(T0 + MINUTE - 2));
      assertThat(out.get(3)).isEqualTo(new Watermark(T0 + MINUTE - 1));
      assertThat(sent(h))
          .extracting(p -> p.segment.segmentId(), p -> p.acc.samples, p -> p.reading)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("a", 2L, null),
              org.assertj.core.groups.Tuple.tuple("b", 1L, null));
      SegmentPartial a =
          sent(h).stream().filter(p -> p.segment.equals(A)).findFirst().orElseThrow();
      assertThat(a.acc.vehicleHoursPerKm).isEqualTo(1 / 40.0 + 1 / 20.0);
      assertThat(out.subList(1, 3))
          .allSatisfy(
              r -> assertThat(((StreamRecord<?>) r).getTimestamp()).isEqualTo(T0 + MINUTE - 1));
    }
  }

  @Test
  void aReadingOfAWindowClosedHereLeavesAloneWithItselfForItsDeadLetter() throws Exception {
    try (var h = harness()) {
      h.processWatermark(new Watermark(T0 + MINUTE + 5_000));
      h.processElement(reading(A, T0 + 50_000, 5));
      assertThat(sent(h)).hasSize(1);
      SegmentPartial single = sent(h).get(0);
      assertThat(single.reading.ts()).isEqualTo(T0 + 50_000);
      assertThat(single.reading.origin().offset()).isEqualTo(T0 + 50_000);
      assertThat(single.acc.samples).isEqualTo(1);
      StreamRecord<?> record = (StreamRecord<?>) List.copyOf(h.getOutput()).get(1);
      assertThat(record.getTimestamp()).isEqualTo(T0 + 50_000);
    }
  }

  @Test
  void everySumLeavesBeforeACheckpointsBarrierAndBeforeTheInputGoesIdle() throws Exception {
    try (var h = harness()) {
      h.processElement(reading(A, T0 + 1_000, 40));
      h.prepareSnapshotPreBarrier(1);
      assertThat(sent(h)).extracting(p -> p.acc.samples).containsExactly(1L);
      // Nothing is kept over the checkpoint: the operator has no state to restore.
      h.processElement(reading(A, T0 + 2_000, 40));
      h.processWatermarkStatus(WatermarkStatus.IDLE);
      assertThat(sent(h)).extracting(p -> p.acc.samples).containsExactly(1L, 1L);
      assertThat(List.copyOf(h.getOutput()).get(2)).isEqualTo(WatermarkStatus.IDLE);
    }
  }

  @Test
  void aReadingAtEitherEndOfTimeLeavesAloneInsteadOfOverflowingItsWindow() throws Exception {
    try (var h = harness()) {
      h.processElement(reading(A, Long.MAX_VALUE - 1, 30));
      h.processElement(reading(A, Long.MIN_VALUE + 1, 30));
      assertThat(sent(h))
          .extracting(p -> p.reading.ts())
          .containsExactly(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
      assertThat(List.copyOf(h.getOutput()))
          .extracting(r -> ((StreamRecord<?>) r).getTimestamp())
          .containsExactly(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
    }
  }

  @Test
  void aLateReadingsDeadLetterNamesItsRecordAndALateSumItsSegment() {
    SegmentPartial single = SegmentPartial.of(reading(A, T0 + 5_000, 12.5).getValue());
    single.reading = reading(A, T0 + 5_000, 12.5).getValue();
    var letter = TrafficJob.lateDeadLetter(single);
    assertThat(letter.reason()).isEqualTo("late");
    assertThat(letter.key()).isEqualTo("P-" + (T0 + 5_000));
    assertThat(letter.offset()).isEqualTo(T0 + 5_000);
    assertThat(letter.detail()).contains("segment a", "12.5 km/h");

    // A sum is never late by the operator's ordering; should one be, it is still accounted for.
    SegmentPartial sum = SegmentPartial.of(reading(A, T0 + 5_000, 12.5).getValue());
    sum.acc.add(reading(A, T0 + 6_000, 20).getValue());
    var sumLetter = TrafficJob.lateDeadLetter(sum);
    assertThat(sumLetter.reason()).isEqualTo("late");
    assertThat(sumLetter.key()).isEqualTo("a");
    assertThat(sumLetter.detail()).startsWith("2 readings of segment a");
  }
}
