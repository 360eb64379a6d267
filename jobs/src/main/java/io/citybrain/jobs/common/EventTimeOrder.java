package io.citybrain.jobs.common;

import java.io.Serializable;
import java.time.Duration;
import java.util.Iterator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
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
 * anyway, so rows come no later; the state holds the out-of-orderness' worth of readings per
 * device, plus each emitted event time for {@code remember} (up to 30 s more) after the watermark
 * passed it.
 *
 * <p>A reading that arrives behind the watermark (late) goes on at once: the windows decide whether
 * it is still in time. Its event time is remembered too, so a late repeat is dropped.
 *
 * @param <T> the reading; keyed by device
 */
public final class EventTimeOrder<T> extends KeyedProcessFunction<String, T, T>
    implements ResultTypeQueryable<T> {

  /** The event time of a reading. */
  @FunctionalInterface
  public interface EventTime<T> extends Serializable {
    long of(T reading);
  }

  /** How often a device's remembered event times are swept: timers on multiples of this. */
  static final long SWEEP_MS = 30_000;

  private final TypeInformation<T> type;
  private final EventTime<T> eventTime;
  private final long rememberMs;
  private transient MapState<Long, T> pending;
  private transient MapState<Long, Boolean> emitted;
  private transient Counter repeats;

  /**
   * @param remember how long after the watermark passed an event time a repeat is still recognised:
   *     the window size plus its allowed lateness, after which the windows refuse a repeat as late
   */
  public EventTimeOrder(TypeInformation<T> type, EventTime<T> eventTime, Duration remember) {
    this.type = type;
    this.eventTime = eventTime;
    this.rememberMs = remember.toMillis();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }

  @Override
  public void open(OpenContext context) {
    pending =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG, type));
    emitted =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("emitted", Types.LONG, Types.BOOLEAN));
    repeats = getRuntimeContext().getMetricGroup().counter("repeatedReadings");
  }

  @Override
  public void processElement(T reading, Context ctx, Collector<T> out) throws Exception {
    long ts = eventTime.of(reading);
    if (pending.contains(ts) || emitted.contains(ts)) {
      repeats.inc();
      return;
    }
    if (ts <= ctx.timerService().currentWatermark()) {
      remember(ts, ctx);
      out.collect(reading);
      return;
    }
    pending.put(ts, reading);
    ctx.timerService().registerEventTimeTimer(ts);
  }

  @Override
  public void onTimer(long time, OnTimerContext ctx, Collector<T> out) throws Exception {
    T due = pending.get(time);
    if (due != null) {
      pending.remove(time);
      remember(time, ctx);
      out.collect(due);
    }
    if (time % SWEEP_MS == 0) {
      Iterator<Long> times = emitted.keys().iterator();
      while (times.hasNext()) {
        if (times.next() <= time - rememberMs) {
          times.remove();
        }
      }
      if (emitted.isEmpty()) {
        // An iterator leaves the heap backend's empty map behind: a device gone quiet keeps
        // nothing.
        emitted.clear();
      }
    } else if (due == null) {
      // A timer of a savepoint taken before the sweeps: the end of one event time's memory.
      emitted.remove(time - rememberMs);
    }
  }

  /**
   * Remembers {@code ts} until a sweep at least {@code remember} after it. One sweep per device per
   * {@link #SWEEP_MS} serves all the readings it emitted in that span, where a timer per reading
   * cost a timer-queue insert and removal each (issue 22: the timers were a fifth of the traffic
   * job's busiest task). A repeat is so recognised for up to {@code SWEEP_MS} longer than asked.
   */
  private void remember(long ts, Context ctx) throws Exception {
    emitted.put(ts, Boolean.TRUE);
    ctx.timerService()
        .registerEventTimeTimer(Math.floorDiv(ts + rememberMs + SWEEP_MS - 1, SWEEP_MS) * SWEEP_MS);
  }
}
