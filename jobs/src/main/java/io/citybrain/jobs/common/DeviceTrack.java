package io.citybrain.jobs.common;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.LongConsumer;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One device's state in {@link EventTimeOrder}, as one value: its readings waiting for the
 * watermark, and the event times it has already handed on (remembered so that a repeat is
 * recognised). Both are short sorted arrays: a device holds the out-of-orderness' worth of pending
 * readings and the window plus its lateness' worth of remembered times, a handful each.
 *
 * <p>Why one value: with a map state per kind, each reading cost six state lookups, a map created
 * and dropped, and a remove (issue 22: state access was about half of the traffic job's busiest
 * task); one value is read and written once per reading and once per timer. Its serializer ({@link
 * Serializer}) writes the times as deltas, so that a device's memory takes bytes, not a key and a
 * value per time.
 *
 * @param <T> the reading
 */
public final class DeviceTrack<T> {

  private static final long[] NO_TIMES = new long[0];
  private static final Object[] NO_READINGS = new Object[0];

  private long[] pendingTimes = NO_TIMES;
  private Object[] pending = NO_READINGS;
  private int pendingCount;
  private long[] remembered = NO_TIMES;
  private int rememberedCount;

  /** Whether a reading of event time {@code ts} waits here. */
  public boolean isPending(long ts) {
    return Arrays.binarySearch(pendingTimes, 0, pendingCount, ts) >= 0;
  }

  /** Whether a reading of event time {@code ts} was handed on and is still remembered. */
  public boolean isRemembered(long ts) {
    return Arrays.binarySearch(remembered, 0, rememberedCount, ts) >= 0;
  }

  /** Holds {@code reading} of event time {@code ts} (not already pending) until it is due. */
  public void addPending(long ts, T reading) {
    int at = -Arrays.binarySearch(pendingTimes, 0, pendingCount, ts) - 1;
    if (pendingCount == pendingTimes.length) {
      int n = Math.max(2, pendingCount * 2);
      pendingTimes = Arrays.copyOf(pendingTimes, n);
      pending = Arrays.copyOf(pending, n);
    }
    System.arraycopy(pendingTimes, at, pendingTimes, at + 1, pendingCount - at);
    System.arraycopy(pending, at, pending, at + 1, pendingCount - at);
    pendingTimes[at] = ts;
    pending[at] = reading;
    pendingCount++;
  }

  /** The event time of the earliest pending reading; only when {@link #hasPending()}. */
  public long firstPendingTime() {
    return pendingTimes[0];
  }

  public boolean hasPending() {
    return pendingCount > 0;
  }

  /** Removes and returns the earliest pending reading. */
  @SuppressWarnings("unchecked")
  public T takeFirstPending() {
    T first = (T) pending[0];
    pendingCount--;
    System.arraycopy(pendingTimes, 1, pendingTimes, 0, pendingCount);
    System.arraycopy(pending, 1, pending, 0, pendingCount);
    pending[pendingCount] = null;
    return first;
  }

  /** Remembers that the reading of event time {@code ts} was handed on. */
  public void remember(long ts) {
    int at = Arrays.binarySearch(remembered, 0, rememberedCount, ts);
    if (at >= 0) {
      return;
    }
    at = -at - 1;
    if (rememberedCount == remembered.length) {
      remembered = Arrays.copyOf(remembered, Math.max(4, rememberedCount * 2));
    }
    System.arraycopy(remembered, at, remembered, at + 1, rememberedCount - at);
    remembered[at] = ts;
    rememberedCount++;
  }

  /** Forgets the remembered times up to and including {@code ts}. */
  public void forgetUpTo(long ts) {
    int keep = Arrays.binarySearch(remembered, 0, rememberedCount, ts);
    int drop = keep >= 0 ? keep + 1 : -keep - 1;
    if (drop > 0) {
      rememberedCount -= drop;
      System.arraycopy(remembered, drop, remembered, 0, rememberedCount);
    }
  }

  /** Each remembered time, ascending. */
  public void forEachRemembered(LongConsumer action) {
    for (int i = 0; i < rememberedCount; i++) {
      action.accept(remembered[i]);
    }
  }

  public boolean hasRemembered() {
    return rememberedCount > 0;
  }

  /** The latest remembered time; only when {@link #hasRemembered()}. */
  public long lastRemembered() {
    return remembered[rememberedCount - 1];
  }

  /** Nothing pending and nothing remembered: the device's state can go. */
  public boolean isEmpty() {
    return pendingCount == 0 && rememberedCount == 0;
  }

  /**
   * The track in a compact binary form: counts and times as variable-length deltas (a time every
   * few seconds takes two or three bytes), the readings by their own serializer.
   */
  public static final class Serializer<T> extends TypeSerializer<DeviceTrack<T>> {
    private static final long serialVersionUID = 1L;

    private final TypeSerializer<T> readings;

    public Serializer(TypeSerializer<T> readings) {
      this.readings = readings;
    }

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public TypeSerializer<DeviceTrack<T>> duplicate() {
      TypeSerializer<T> d = readings.duplicate();
      return d == readings ? this : new Serializer<>(d);
    }

    @Override
    public DeviceTrack<T> createInstance() {
      return new DeviceTrack<>();
    }

    /** A deep copy: the heap backend hands one to a writer while a snapshot reads the original. */
    @Override
    @SuppressWarnings("unchecked")
    public DeviceTrack<T> copy(DeviceTrack<T> from) {
      DeviceTrack<T> to = new DeviceTrack<>();
      to.pendingCount = from.pendingCount;
      to.pendingTimes = Arrays.copyOf(from.pendingTimes, from.pendingCount);
      to.pending = new Object[from.pendingCount];
      for (int i = 0; i < from.pendingCount; i++) {
        to.pending[i] = readings.copy((T) from.pending[i]);
      }
      to.rememberedCount = from.rememberedCount;
      to.remembered = Arrays.copyOf(from.remembered, from.rememberedCount);
      return to;
    }

    @Override
    public DeviceTrack<T> copy(DeviceTrack<T> from, DeviceTrack<T> reuse) {
      return copy(from);
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(DeviceTrack<T> t, DataOutputView out) throws IOException {
      writeTimes(t.pendingTimes, t.pendingCount, out);
      for (int i = 0; i < t.pendingCount; i++) {
        readings.serialize((T) t.pending[i], out);
      }
      writeTimes(t.remembered, t.rememberedCount, out);
    }

    @Override
    public DeviceTrack<T> deserialize(DataInputView in) throws IOException {
      DeviceTrack<T> t = new DeviceTrack<>();
      t.pendingTimes = readTimes(in);
      t.pendingCount = t.pendingTimes.length;
      t.pending = new Object[t.pendingCount];
      for (int i = 0; i < t.pendingCount; i++) {
        t.pending[i] = readings.deserialize(in);
      }
      t.remembered = readTimes(in);
      t.rememberedCount = t.remembered.length;
      return t;
    }

    @Override
    public DeviceTrack<T> deserialize(DeviceTrack<T> reuse, DataInputView in) throws IOException {
      return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
      serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Serializer<?> s && s.readings.equals(readings);
    }

    @Override
    public int hashCode() {
      return readings.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<DeviceTrack<T>> snapshotConfiguration() {
      return new Snapshot<>(this);
    }

    /** Ascending times: the count, the first, then each difference to the one before. */
    private static void writeTimes(long[] times, int count, DataOutputView out) throws IOException {
      writeVarLong(count, out);
      long previous = 0;
      for (int i = 0; i < count; i++) {
        writeVarLong(i == 0 ? zigZag(times[0]) : times[i] - previous, out);
        previous = times[i];
      }
    }

    private static long[] readTimes(DataInputView in) throws IOException {
      int count = (int) readVarLong(in);
      long[] times = new long[count];
      long previous = 0;
      for (int i = 0; i < count; i++) {
        long v = readVarLong(in);
        times[i] = i == 0 ? unZigZag(v) : previous + v;
        previous = times[i];
      }
      return times;
    }

    private static long zigZag(long v) {
      return (v << 1) ^ (v >> 63);
    }

    private static long unZigZag(long v) {
      return (v >>> 1) ^ -(v & 1);
    }

    private static void writeVarLong(long v, DataOutputView out) throws IOException {
      while ((v & ~0x7FL) != 0) {
        out.writeByte((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.writeByte((int) v);
    }

    private static long readVarLong(DataInputView in) throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = in.readByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("malformed variable-length number in a device track");
    }
  }

  /** The serializer's snapshot: its layout version and the readings' serializer. */
  public static final class Snapshot<T>
      extends CompositeTypeSerializerSnapshot<DeviceTrack<T>, Serializer<T>> {

    /** For Flink, which reads a snapshot by reflection. */
    public Snapshot() {}

    Snapshot(Serializer<T> serializer) {
      super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return 1;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(Serializer<T> outer) {
      return new TypeSerializer<?>[] {outer.readings};
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Serializer<T> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
      return new Serializer<>((TypeSerializer<T>) nested[0]);
    }
  }
}
