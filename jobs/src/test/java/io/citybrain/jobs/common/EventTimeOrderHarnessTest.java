package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EventTimeOrderHarnessTest {

  private static final long T0 = 1_767_600_000_000L;

  /** (device, event time) stands in for a reading. */
  private static KeyedOneInputStreamOperatorTestHarness<
          String, Tuple2<String, Long>, Tuple2<String, Long>>
      harness() throws Exception {
    EventTimeOrder<Tuple2<String, Long>> order =
        new EventTimeOrder<>(
            TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {}),
            r -> r.f1,
            Duration.ofMinutes(2));
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(order), r -> r.f0, Types.STRING);
  }

  private static StreamRecord<Tuple2<String, Long>> reading(String device, long ts) {
    return new StreamRecord<>(Tuple2.of(device, ts), ts);
  }

  @Test
  void readingsGoOnInEventTimeOrderOnceTheWatermarkPassesThem() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processElement(reading("d-1", T0 + 3_000));
      h.processElement(reading("d-1", T0 + 1_000));
      h.processElement(reading("d-2", T0 + 2_000));
      assertThat(h.extractOutputValues()).as("nothing before the watermark").isEmpty();
      h.processWatermark(new Watermark(T0 + 2_000));
      assertThat(h.extractOutputValues())
          .extracting(r -> r.f1)
          .containsExactly(T0 + 1_000, T0 + 2_000);
      h.processWatermark(new Watermark(T0 + 10_000));
      assertThat(h.extractOutputValues())
          .extracting(r -> r.f1)
          .containsExactly(T0 + 1_000, T0 + 2_000, T0 + 3_000);
      // The output keeps the event time as its timestamp, so the windows downstream place it right.
      assertThat(h.getOutput())
          .filteredOn(o -> o instanceof StreamRecord)
          .extracting(o -> ((StreamRecord<?>) o).getTimestamp())
          .containsExactly(T0 + 1_000, T0 + 2_000, T0 + 3_000);
    }
  }

  @Test
  void aRepeatedDeliveryIsDroppedBeforeAndAfterTheWatermarkAndForgottenLater() throws Exception {
    try (var h = harness()) {
      h.open();
      h.processElement(reading("d-1", T0));
      h.processElement(reading("d-1", T0)); // redelivered while the first still waits
      h.processElement(reading("d-2", T0)); // another device at the same instant is no repeat
      h.processWatermark(new Watermark(T0 + 1_000));
      assertThat(h.extractOutputValues()).extracting(r -> r.f0).containsExactly("d-1", "d-2");

      h.processElement(
          reading("d-1", T0)); // redelivered after the watermark passed: late, and a repeat
      h.processElement(
          reading("d-1", T0 + 500)); // late but new: goes on at once, the windows decide
      assertThat(h.extractOutputValues()).extracting(r -> r.f1).containsExactly(T0, T0, T0 + 500);

      h.processWatermark(new Watermark(T0 + Duration.ofMinutes(3).toMillis()));
      assertThat(h.numKeyedStateEntries())
          .as("every event time forgotten after its memory")
          .isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }
}
