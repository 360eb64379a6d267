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
 * <p>It also keeps, for an {@link EventTimeOrder.InOrderCheck}, the position and time of the last
 * reading the check let through (the traffic job's jump filter): in the same value, so that the
 * check costs no state access of its own (issue 22: the jump filter's own TTL state was about a
 * sixth of the busiest task), and it goes when the check's memory ends, in event time.
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
  private boolean hasFix;
  private double fixLon;
  private double fixLat;
  private long fixTime;

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

  /** The earliest remembered time; only when {@link #hasRemembered()}. */
  public long firstRemembered() {
    return remembered[0];
  }

  /** The latest remembered time; only when {@link #hasRemembered()}. */
  public long lastRemembered() {
    return remembered[rememberedCount - 1];
  }

  /** Whether the track holds the last position an in-order check let through. */
  public boolean hasFix() {
    return hasFix;
  }

  /** The last position's longitude; only when {@link #hasFix()}. */
  public double fixLon() {
    return fixLon;
  }

  /** The last position's latitude; only when {@link #hasFix()}. */
  public double fixLat() {
    return fixLat;
  }

  /** The last position's event time; only when {@link #hasFix()}. */
  public long fixTime() {
    return fixTime;
  }

  /** Keeps {@code (lon, lat)} at event time {@code ts} as the last position let through. */
  public void setFix(double lon, double lat, long ts) {
    hasFix = true;
    fixLon = lon;
    fixLat = lat;
    fixTime = ts;
  }

  public void clearFix() {
    hasFix = false;
  }

  /** Nothing pending, nothing remembered, no position: the device's state can go. */
  public boolean isEmpty() {
    return pendingCount == 0 && rememberedCount == 0 && !hasFix;
  }

  /**
   * The track in a compact binary form: counts and times as variable-length deltas (a time every
   * few seconds takes two or three bytes), the readings by their own serializer.
   */
  public static final class Serializer<T> extends TypeSerializer<DeviceTrack<T>> {
    private static final long serialVersionUID = 1L;

    /** Layout 1: pending and remembered times. Layout 2 (current): and the last position. */
    static final int LAYOUT = 2;

    private final TypeSerializer<T> readings;

    /** Which layout this serializer reads and writes: an older one only to restore old state. */
    private final int layout;

    public Serializer(TypeSerializer<T> readings) {
      this(readings, LAYOUT);
    }

    Serializer(TypeSerializer<T> readings, int layout) {
      this.readings = readings;
      this.layout = layout;
    }

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public TypeSerializer<DeviceTrack<T>> duplicate() {
      TypeSerializer<T> d = readings.duplicate();
      return d == readings ? this : new Serializer<>(d, layout);
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
      to.hasFix = from.hasFix;
      to.fixLon = from.fixLon;
      to.fixLat = from.fixLat;
      to.fixTime = from.fixTime;
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
      if (layout < 2) {
        return;
      }
      out.writeBoolean(t.hasFix);
      if (t.hasFix) {
        out.writeDouble(t.fixLon);
        out.writeDouble(t.fixLat);
        // Usually the last remembered time itself: one byte.
        long base = t.rememberedCount > 0 ? t.remembered[t.rememberedCount - 1] : 0;
        writeVarLong(zigZag(t.fixTime - base), out);
      }
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
      if (layout >= 2 && in.readBoolean()) {
        t.hasFix = true;
        t.fixLon = in.readDouble();
        t.fixLat = in.readDouble();
        long base = t.rememberedCount > 0 ? t.remembered[t.rememberedCount - 1] : 0;
        t.fixTime = base + unZigZag(readVarLong(in));
      }
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
      return o instanceof Serializer<?> s && s.layout == layout && s.readings.equals(readings);
    }

    @Override
    public int hashCode() {
      return 31 * readings.hashCode() + layout;
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

  /**
   * The serializer's snapshot: its layout version and the readings' serializer. A snapshot of an
   * older layout restores a serializer that reads that layout, and answers "compatible after
   * migration", so Flink reads old state with it and writes it in the current layout.
   */
  public static final class Snapshot<T>
      extends CompositeTypeSerializerSnapshot<DeviceTrack<T>, Serializer<T>> {

    /** The layout of the state this snapshot describes. */
    private int layout = Serializer.LAYOUT;

    /** For Flink, which reads a snapshot by reflection. */
    public Snapshot() {}

    Snapshot(Serializer<T> serializer) {
      super(serializer);
      this.layout = serializer.layout;
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return layout;
    }

    @Override
    protected void readOuterSnapshot(
        int readOuterSnapshotVersion, DataInputView in, ClassLoader userCodeClassLoader) {
      layout = readOuterSnapshotVersion;
    }

    @Override
    protected OuterSchemaCompatibility resolveOuterSchemaCompatibility(
        TypeSerializerSnapshot<DeviceTrack<T>> oldSnapshot) {
      if (!(oldSnapshot instanceof Snapshot<?> old) || old.layout > Serializer.LAYOUT) {
        return OuterSchemaCompatibility.INCOMPATIBLE;
      }
      return old.layout == layout
          ? OuterSchemaCompatibility.COMPATIBLE_AS_IS
          : OuterSchemaCompatibility.COMPATIBLE_AFTER_MIGRATION;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(Serializer<T> outer) {
      return new TypeSerializer<?>[] {outer.readings};
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Serializer<T> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
      return new Serializer<>((TypeSerializer<T>) nested[0], layout);
    }
  }
}
