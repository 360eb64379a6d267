package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
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

  @Test
  void aSteadyDeviceHasOneSweepAtATimeAndEachTimeIsForgottenAtItsOwnSweep() throws Exception {
    try (var h = harness()) {
      h.open();
      // A reading every 10 s for five minutes, each handed on by the next watermark.
      for (int i = 0; i < 30; i++) {
        h.processElement(reading("d-1", T0 + i * 10_000L + 1));
        h.processWatermark(new Watermark(T0 + i * 10_000L + 1));
      }
      assertThat(h.extractOutputValues()).hasSize(30);
      // Not one sweep per 30 s still to come (five), only the earliest remembered time's.
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      // T0 + 170,001 is remembered until the sweep at T0 + 300,000: its redelivery is dropped.
      h.processElement(reading("d-1", T0 + 170_001));
      // T0 + 140,001 was forgotten at its sweep, T0 + 270,000: its redelivery goes on, late.
      h.processElement(reading("d-1", T0 + 140_001));
      assertThat(h.extractOutputValues())
          .extracting(r -> r.f1)
          .endsWith(T0 + 290_001, T0 + 140_001)
          .hasSize(31);
      // Quiet from here: the chain of sweeps forgets the rest, then nothing is left.
      h.processWatermark(new Watermark(T0 + 290_001 + Duration.ofMinutes(3).toMillis()));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  /**
   * After a restore the watermark starts again from nothing, while the readings handed on before
   * the checkpoint are remembered: a redelivery of one of them is still a repeat.
   */
  @Test
  void aRepeatRightAfterARestoreIsDroppedThoughTheWatermarkStartsAgain() throws Exception {
    OperatorSubtaskState checkpoint;
    try (var h = harness()) {
      h.open();
      h.processElement(reading("d-1", T0));
      h.processWatermark(new Watermark(T0 + 1_000));
      assertThat(h.extractOutputValues()).extracting(r -> r.f1).containsExactly(T0);
      checkpoint = h.snapshot(1, T0 + 1_000);
    }
    try (var h = harness()) {
      h.initializeState(checkpoint);
      h.open();
      h.processElement(reading("d-1", T0)); // the bridge's redelivery, after the job's restart
      h.processElement(reading("d-1", T0 + 2_000));
      h.processWatermark(new Watermark(T0 + 10_000));
      assertThat(h.extractOutputValues()).extracting(r -> r.f1).containsExactly(T0 + 2_000);
    }
  }

  /** A check that keeps every reading's time as the position, to give tracks one. */
  private static final class KeepsPosition
      implements EventTimeOrder.InOrderCheck<Tuple2<String, Long>> {
    @Override
    public boolean pass(
        Tuple2<String, Long> reading,
        DeviceTrack<Tuple2<String, Long>> track,
        KeyedProcessFunction<String, Tuple2<String, Long>, Tuple2<String, Long>>.Context ctx) {
      track.setFix(0, 0, reading.f1);
      return true;
    }

    @Override
    public long memoryMs() {
      return Duration.ofMinutes(10).toMillis();
    }
  }

  @Test
  void aPositionIsFreedWithItsTrackAlsoWhereNoCheckReadsIt() throws Exception {
    OperatorSubtaskState checkpoint;
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new EventTimeOrder<>(
                    TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {}),
                    r -> r.f1,
                    Duration.ofMinutes(2),
                    new KeepsPosition())),
            r -> r.f0,
            Types.STRING)) {
      h.open();
      h.processElement(reading("d-1", T0 + 1));
      h.processWatermark(new Watermark(T0 + 1));
      // The remembered time goes after two minutes, the position stays for ten.
      h.processWatermark(new Watermark(T0 + Duration.ofMinutes(3).toMillis()));
      assertThat(h.numKeyedStateEntries()).isEqualTo(1);
      assertThat(h.numEventTimeTimers()).isEqualTo(1);
      checkpoint = h.snapshot(1, T0 + Duration.ofMinutes(3).toMillis());
      h.processWatermark(new Watermark(T0 + Duration.ofMinutes(11).toMillis()));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
    // Restored into an ordering without a check, the position's timer still frees the track.
    try (var h = harness()) {
      h.initializeState(checkpoint);
      h.open();
      h.processWatermark(new Watermark(T0 + Duration.ofMinutes(11).toMillis()));
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  /**
   * A savepoint of the builds before the one-value layout: a device's pending readings and
   * remembered times in two map states, a timer per pending reading and per sweep. Written here by
   * an operator with that layout's state descriptors, restored into the current one.
   */
  @Test
  void aDeviceOfASavepointWithTheMapStatesGoesOnFromThem() throws Exception {
    OperatorSubtaskState legacy;
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LegacyLayout()),
            (Tuple2<String, Long> r) -> r.f0,
            Types.STRING)) {
      h.open();
      h.processElement(reading("d-1", -(T0 - 5_000))); // handed on before the savepoint
      h.processElement(reading("d-1", T0 + 2_000)); // pending
      h.processElement(reading("d-1", T0 + 1_000)); // pending
      legacy = h.snapshot(1, T0);
    }
    try (var h = harness()) {
      h.initializeState(legacy);
      h.open();
      h.processElement(reading("d-1", T0 + 1_000)); // a repeat of a pending reading
      h.processWatermark(new Watermark(T0));
      h.processElement(reading("d-1", T0 - 5_000)); // a repeat of a remembered one
      assertThat(h.extractOutputValues()).isEmpty();
      h.processWatermark(new Watermark(T0 + 10_000));
      assertThat(h.extractOutputValues())
          .extracting(r -> r.f1)
          .containsExactly(T0 + 1_000, T0 + 2_000);
      h.processWatermark(new Watermark(T0 + Duration.ofMinutes(3).toMillis()));
      assertThat(h.numKeyedStateEntries()).as("maps moved, track forgotten").isZero();
      assertThat(h.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void theTrackSerializerWritesAndReadsEveryPart() throws Exception {
    TypeSerializer<Tuple2<String, Long>> readings =
        TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {})
            .createSerializer(new SerializerConfigImpl());
    DeviceTrack.Serializer<Tuple2<String, Long>> serializer =
        new DeviceTrack.Serializer<>(readings);
    DeviceTrack<Tuple2<String, Long>> track = new DeviceTrack<>();
    for (long i = 0; i < 14; i++) {
      track.remember(T0 - i * 10_000);
    }
    track.addPending(T0 + 7_000, Tuple2.of("d-1", T0 + 7_000));
    track.addPending(T0 + 3_000, Tuple2.of("d-1", T0 + 3_000));
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(track, out);
    // 1 + 6 first + 1 delta + two readings + 1 + 6 first + 13 deltas of 2 bytes each
    assertThat(out.length()).isLessThan(100);
    DeviceTrack<Tuple2<String, Long>> back =
        serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.lastRemembered()).isEqualTo(T0);
    assertThat(back.firstPendingTime()).isEqualTo(T0 + 3_000);
    assertThat(back.isPending(T0 + 7_000)).isTrue();
    assertThat(back.isRemembered(T0 - 130_000)).isTrue();
    assertThat(back.isRemembered(T0 - 135_000)).isFalse();
    assertThat(back.takeFirstPending().f1).isEqualTo(T0 + 3_000);
    assertThat(back.takeFirstPending().f1).isEqualTo(T0 + 7_000);
    back.forgetUpTo(T0);
    assertThat(back.isEmpty()).isTrue();
    assertThat(serializer.copy(track).isRemembered(T0)).isTrue();
    DataOutputSerializer again = new DataOutputSerializer(64);
    serializer.serialize(serializer.copy(track), again);
    assertThat(again.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
  }

  @Test
  void theTrackKeepsItsPositionAndReadsTheLayoutBeforeIt() throws Exception {
    TypeSerializer<Tuple2<String, Long>> readings =
        TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {})
            .createSerializer(new SerializerConfigImpl());
    DeviceTrack.Serializer<Tuple2<String, Long>> current = new DeviceTrack.Serializer<>(readings);
    DeviceTrack<Tuple2<String, Long>> track = new DeviceTrack<>();
    track.remember(T0);
    track.setFix(120.1551, 30.2741, T0);
    DataOutputSerializer out = new DataOutputSerializer(64);
    current.serialize(track, out);
    DeviceTrack<Tuple2<String, Long>> back =
        current.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.hasFix()).isTrue();
    assertThat(back.fixLon()).isEqualTo(120.1551);
    assertThat(back.fixLat()).isEqualTo(30.2741);
    assertThat(back.fixTime()).isEqualTo(T0);
    assertThat(current.copy(track).fixTime()).isEqualTo(T0);
    // Only the position left: its time is written whole.
    back.forgetUpTo(T0);
    back.setFix(-0.0, Double.NaN, Long.MIN_VALUE + 1);
    DataOutputSerializer alone = new DataOutputSerializer(64);
    current.serialize(back, alone);
    DeviceTrack<Tuple2<String, Long>> again =
        current.deserialize(new DataInputDeserializer(alone.getCopyOfBuffer()));
    assertThat(again.fixTime()).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(again.fixLat()).isNaN();
    assertThat(again.isEmpty()).isFalse();

    // State written by the build before the position (layout 1) is read by the serializer its
    // snapshot restores, and Flink is told to migrate it.
    var oldSnapshot = new DeviceTrack.Serializer<>(readings, 1).snapshotConfiguration();
    DataOutputSerializer snapshotBytes = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(snapshotBytes, oldSnapshot);
    TypeSerializerSnapshot<DeviceTrack<Tuple2<String, Long>>> readBack =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()),
            getClass().getClassLoader());
    assertThat(
            current
                .snapshotConfiguration()
                .resolveSchemaCompatibility(readBack)
                .isCompatibleAfterMigration())
        .isTrue();
    assertThat(
            current
                .snapshotConfiguration()
                .resolveSchemaCompatibility(current.snapshotConfiguration())
                .isCompatibleAsIs())
        .isTrue();
    DeviceTrack<Tuple2<String, Long>> legacy = new DeviceTrack<>();
    legacy.remember(T0);
    legacy.addPending(T0 + 3_000, Tuple2.of("d-1", T0 + 3_000));
    DataOutputSerializer legacyBytes = new DataOutputSerializer(64);
    new DeviceTrack.Serializer<>(readings, 1).serialize(legacy, legacyBytes);
    DeviceTrack<Tuple2<String, Long>> restored =
        readBack
            .restoreSerializer()
            .deserialize(new DataInputDeserializer(legacyBytes.getCopyOfBuffer()));
    assertThat(restored.hasFix()).isFalse();
    assertThat(restored.isRemembered(T0)).isTrue();
    assertThat(restored.firstPendingTime()).isEqualTo(T0 + 3_000);
  }

  /** The state layout of the builds before {@link DeviceTrack}; a negative time: handed on. */
  private static final class LegacyLayout
      extends KeyedProcessFunction<String, Tuple2<String, Long>, Tuple2<String, Long>> {
    private transient MapState<Long, Tuple2<String, Long>> pending;
    private transient MapState<Long, Boolean> emitted;

    @Override
    public void open(OpenContext context) {
      pending =
          getRuntimeContext()
              .getMapState(
                  new MapStateDescriptor<>(
                      "pending",
                      Types.LONG,
                      TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {})));
      emitted =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("emitted", Types.LONG, Types.BOOLEAN));
    }

    @Override
    public void processElement(
        Tuple2<String, Long> r, Context ctx, Collector<Tuple2<String, Long>> out) throws Exception {
      if (r.f1 < 0) {
        emitted.put(-r.f1, true);
        ctx.timerService().registerEventTimeTimer(-r.f1 + 150_000);
      } else {
        pending.put(r.f1, r);
        ctx.timerService().registerEventTimeTimer(r.f1);
      }
    }
  }
}
