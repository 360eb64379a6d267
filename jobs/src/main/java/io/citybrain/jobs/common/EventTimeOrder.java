package io.citybrain.jobs.common;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Hands one device's readings on in event-time order, each event once.
 *
 * <p>Why: the bridge is at-least-once (a bridge that dies before MQTT's PUBACK gets the reading
 * again, after a restart, from the broker), so a reading can reach Kafka twice, and minutes after
 * its neighbours. Counted twice it would double a segment's flow; taken in arrival order it would
 * move a vehicle backwards through its stateful checks. Here a reading waits until the watermark
 * passes its event time, then goes on in event-time order; a second reading of the same device with
 * the same event time is dropped (metric {@code repeatedReadings}) — a device cannot observe twice
 * at one millisecond, so it is the same reading delivered again.
 *
 * <p>Cost: a reading waits for the watermark, which the event-time windows downstream wait for
 * anyway, so rows come no later. A device's state is one value ({@link DeviceTrack}): the
 * out-of-orderness' worth of pending readings, plus each emitted event time for {@code remember}
 * (up to 30 s more) after the watermark passed it; it is read and written once per reading and once
 * per timer.
 *
 * <p>A reading that arrives behind the watermark (late) goes on at once: the windows decide whether
 * it is still in time. Its event time is remembered too, so a late repeat is dropped.
 *
 * <p>Savepoints of the builds before issue 22's one-value layout hold a device's pending readings
 * and remembered times in two map states ({@code pending}, {@code emitted}) and one timer per
 * pending reading and per sweep; such a device's maps are moved into its track the first time it is
 * touched (a reading or one of those timers), and the maps are cleared.
 *
 * @param <T> the reading; keyed by device
 */
public final class EventTimeOrder<T> extends KeyedProcessFunction<String, T, T>
    implements ResultTypeQueryable<T>, CheckpointedFunction {

  /** The event time of a reading. */
  @FunctionalInterface
  public interface EventTime<T> extends Serializable {
    long of(T reading);
  }

  /**
   * A check of each reading as it is handed on, in event-time order, against the last position it
   * let through, which the device's track keeps ({@link DeviceTrack#setFix}) for {@link
   * #memoryMs()} of event time after it. Here rather than an operator of its own downstream: that
   * operator's keyed state cost a second state lookup and write per reading, and its
   * processing-time TTL a cleanup step at every access (issue 22).
   */
  public interface InOrderCheck<T> extends Serializable {
    /**
     * Whether {@code reading} goes on; a refused reading may be reported through {@code ctx}'s side
     * outputs. The check updates the track's position itself.
     */
    boolean pass(T reading, DeviceTrack<T> track, KeyedProcessFunction<String, T, T>.Context ctx);

    /** How long after its event time the last position still matters. */
    long memoryMs();
  }

  /** How often a device's remembered event times are swept: timers on multiples of this. */
  static final long SWEEP_MS = 30_000;

  private final TypeInformation<T> type;
  private final EventTime<T> eventTime;
  private final long rememberMs;

  /** Null when there is none. */
  private final InOrderCheck<T> check;

  private transient ValueState<DeviceTrack<T>> tracks;
  private transient MapState<Long, T> legacyPending;
  private transient MapState<Long, Boolean> legacyEmitted;
  private transient Counter repeats;

  /** Whether this task started from a checkpoint or savepoint: only then can a device hold maps. */
  private transient boolean restored;

  /**
   * @param remember how long after the watermark passed an event time a repeat is still recognised:
   *     the window size plus its allowed lateness, after which the windows refuse a repeat as late
   */
  public EventTimeOrder(TypeInformation<T> type, EventTime<T> eventTime, Duration remember) {
    this(type, eventTime, remember, null);
  }

  /**
   * @param check applied to each reading as it goes on, in event-time order (late ones included);
   *     null for none
   */
  public EventTimeOrder(
      TypeInformation<T> type, EventTime<T> eventTime, Duration remember, InOrderCheck<T> check) {
    this.type = type;
    this.eventTime = eventTime;
    this.rememberMs = remember.toMillis();
    this.check = check;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    restored = context.isRestored();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    // All of it is keyed state, which Flink snapshots itself.
  }

  @Override
  public void open(OpenContext context) {
    tracks =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "track",
                    new DeviceTrack.Serializer<>(getRuntimeContext().createSerializer(type))));
    legacyPending =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, type));
    legacyEmitted =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("emitted", Types.LONG, Types.BOOLEAN));
    repeats = getRuntimeContext().getMetricGroup().counter("repeatedReadings");
  }

  @Override
  public void processElement(T reading, Context ctx, Collector<T> out) throws Exception {
    long ts = eventTime.of(reading);
    DeviceTrack<T> track = track(ctx);
    if (track == null) {
      track = new DeviceTrack<>();
    }
    // Both, whatever the watermark: right after a restore the watermark starts again from nothing,
    // and a repeat of a reading handed on before the checkpoint would otherwise wait as a new one.
    if (track.isPending(ts) || track.isRemembered(ts)) {
      repeats.inc();
      return;
    }
    if (ts <= ctx.timerService().currentWatermark()) {
      remember(track, ts, ctx);
      boolean passes = check == null || check.pass(reading, track, ctx);
      tracks.update(track);
      if (passes) {
        out.collect(reading);
      }
      return;
    }
    track.addPending(ts, reading);
    tracks.update(track);
    ctx.timerService().registerEventTimeTimer(ts);
  }

  /**
   * Every timer does the same, whichever it was registered as (a pending reading's, a sweep, or one
   * of a savepoint of an earlier build): hands on the readings now due, in event-time order, and
   * forgets the times whose memory ended.
   */
  @Override
  public void onTimer(long time, OnTimerContext ctx, Collector<T> out) throws Exception {
    DeviceTrack<T> track = track(ctx);
    if (track == null) {
      return;
    }
    while (track.hasPending() && track.firstPendingTime() <= time) {
      long ts = track.firstPendingTime();
      T due = track.takeFirstPending();
      remember(track, ts, ctx);
      if (check == null || check.pass(due, track, ctx)) {
        out.collect(due);
      }
    }
    // A time's sweep is the first multiple of SWEEP_MS at or after the end of its memory: a time
    // is forgotten when that sweep comes.
    track.forgetUpTo(Math.floorDiv(time, SWEEP_MS) * SWEEP_MS - rememberMs);
    if (time % SWEEP_MS == 0 && track.hasRemembered()) {
      // This may be the device's one sweep (they fall on multiples of SWEEP_MS; a reading's timer
      // may too, which only adds a timer): the next is the earliest remaining time's.
      ctx.timerService().registerEventTimeTimer(sweepFor(track.firstRemembered()));
    }
    // Without a check nothing reads the position (a track restored into such an operator).
    if (track.hasFix() && (check == null || track.fixTime() + check.memoryMs() <= time)) {
      track.clearFix();
    }
    if (track.isEmpty()) {
      tracks.clear();
      return;
    }
    tracks.update(track);
    if (!track.hasPending() && !track.hasRemembered()) {
      // Only the position is left (so there is a check), and no timer of the device's is due: one
      // more, when its memory ends, lets the track go. (While readings come, their sweeps look at
      // it.)
      ctx.timerService().registerEventTimeTimer(sweepFor(track.fixTime(), check.memoryMs()));
    }
  }

  /**
   * Remembers {@code ts} until a sweep at least {@code remember} after it (a multiple of {@link
   * #SWEEP_MS}: a repeat is so recognised for up to {@code SWEEP_MS} longer than asked).
   *
   * <p>A device has one sweep at a time, the earliest remembered time's, and each sweep asks for
   * the next ({@link #onTimer}): every time is still forgotten at its own sweep, since the sweeps
   * come in order of the times. Issue 22: a timer per reading was a fifth of the traffic job's
   * busiest task; a sweep per 30 s per device still a quarter of its timers, now one per memory
   * span (about two minutes).
   */
  private void remember(DeviceTrack<T> track, long ts, Context ctx) {
    boolean asked = track.hasRemembered() && track.firstRemembered() <= ts;
    track.remember(ts);
    if (!asked) {
      ctx.timerService().registerEventTimeTimer(sweepFor(ts));
    }
  }

  private long sweepFor(long ts) {
    return sweepFor(ts, rememberMs);
  }

  /** The first multiple of {@link #SWEEP_MS} at or after {@code ts + memory}. */
  private static long sweepFor(long ts, long memory) {
    return Math.floorDiv(ts + memory + SWEEP_MS - 1, SWEEP_MS) * SWEEP_MS;
  }

  /**
   * The device's track; null when it has none. In a task that started from a savepoint (a fresh
   * start has no maps to look at), a device of an earlier build gets its map states moved into a
   * new track here, with a sweep for each remembered time (that build's own sweep and pending
   * timers fire too, and find the times already moved).
   */
  private DeviceTrack<T> track(Context ctx) throws Exception {
    DeviceTrack<T> track = tracks.value();
    if (track != null || !restored || (legacyPending.isEmpty() && legacyEmitted.isEmpty())) {
      return track;
    }
    DeviceTrack<T> moved = new DeviceTrack<>();
    for (var e : legacyPending.entries()) {
      moved.addPending(e.getKey(), e.getValue());
      ctx.timerService().registerEventTimeTimer(e.getKey());
    }
    for (long ts : legacyEmitted.keys()) {
      moved.remember(ts);
    }
    moved.forEachRemembered(ts -> ctx.timerService().registerEventTimeTimer(sweepFor(ts)));
    legacyPending.clear();
    legacyEmitted.clear();
    tracks.update(moved);
    return moved;
  }
}
