package io.citybrain.jobs.emergency;

import io.citybrain.contract.Alert;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns alert transitions into {@code emergency_area} rows, keyed by area ({@code
 * district|community}). Processing time, like the lifecycle it follows: at the end of every
 * interval in which an area has open alerts or activity it emits a row; after a row with nothing
 * open its state and timer are freed.
 */
public final class AreaIndicators extends KeyedProcessFunction<String, Alert, EmergencyArea> {

  private final long intervalMs;

  /** Open alerts of the area: alert id → raise time (the alert's ts when raised). */
  private transient MapState<String, Long> open;

  /** Open alerts' families, for the per-kind counts. */
  private transient MapState<String, String> families;

  /** This interval's counters: new alerts, acknowledgements and their summed delay in ms. */
  private transient ValueState<long[]> counters;

  private transient ValueState<Long> timer;

  public AreaIndicators(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  public static String areaKey(Alert a) {
    return AreaIntervals.key(a.district(), a.community());
  }

  @Override
  public void open(OpenContext context) {
    open =
        getRuntimeContext().getMapState(new MapStateDescriptor<>("open", Types.STRING, Types.LONG));
    families =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("families", Types.STRING, Types.STRING));
    counters =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "counters", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
  }

  @Override
  public void processElement(Alert a, Context ctx, Collector<EmergencyArea> out) throws Exception {
    if (!a.changesState()) {
      return; // an assignment or a comment: the alert is as open as it was
    }
    long[] c = counters.value() == null ? new long[3] : counters.value();
    switch (a.state()) {
      case Alert.STATE_RESOLVED -> {
        open.remove(a.alertId());
        families.remove(a.alertId());
      }
      case Alert.STATE_ACKNOWLEDGED -> {
        Long raisedTs = open.get(a.alertId());
        if (raisedTs != null) {
          c[1]++;
          c[2] += Math.max(0, a.ts() - raisedTs);
        }
      }
      default -> {
        if (!open.contains(a.alertId())) {
          open.put(a.alertId(), a.ts());
          families.put(a.alertId(), a.alertId().substring(0, a.alertId().indexOf('-')));
          c[0]++;
        }
      }
    }
    counters.update(c);
    AreaIntervals.startIfIdle(timer, ctx.timerService(), intervalMs);
  }

  @Override
  public void onTimer(long ts, OnTimerContext ctx, Collector<EmergencyArea> out) throws Exception {
    long[] c = counters.value() == null ? new long[3] : counters.value();
    long openCount = 0;
    long sos = 0;
    long fires = 0;
    long floods = 0;
    for (String family : families.values()) {
      openCount++;
      switch (family) {
        case Signals.SOS -> sos++;
        case Signals.FIRE -> fires++;
        case Signals.FLOOD -> floods++;
        default -> {}
      }
    }
    String key = ctx.getCurrentKey();
    out.collect(
        new EmergencyArea(
            AreaIntervals.district(key),
            AreaIntervals.community(key),
            ts,
            openCount,
            c[0],
            sos,
            fires,
            floods,
            c[1] == 0 ? null : c[2] / 1000.0 / c[1]));
    counters.clear();
    if (openCount == 0) {
      open.clear();
      families.clear();
      timer.clear();
    } else {
      AreaIntervals.next(timer, ctx.timerService(), ts, intervalMs);
    }
  }
}
