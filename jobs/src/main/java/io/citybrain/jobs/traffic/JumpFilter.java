package io.citybrain.jobs.traffic;

import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.Rejected;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Refuses probe fixes that imply an impossible speed (over {@code maxKmh}, 200 km/h) since the
 * vehicle's last accepted fix: GPS multipath in a street canyon, or a clock gone wrong. The last
 * accepted fix is kept, not the refused one, so one bad fix does not condemn the next good one; a
 * fix more than {@code restartAfter} after the last accepted one starts afresh. The state of a
 * vehicle that stops reporting expires after {@code ttl}.
 */
public final class JumpFilter extends KeyedProcessFunction<String, ProbeFix, ProbeFix> {

  private final double maxKmh;
  private final long restartAfterMs;
  private final Duration ttl;
  private transient ValueState<double[]> lastFix;

  public JumpFilter(double maxKmh, Duration restartAfter, Duration ttl) {
    this.maxKmh = maxKmh;
    this.restartAfterMs = restartAfter.toMillis();
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<double[]> d =
        new ValueStateDescriptor<>(
            "last-fix", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
    // The heap backend's default incremental cleanup visits 5 entries at every access: a sixth of
    // the busiest task's CPU (issue 22). One per access still sweeps all vehicles many times per
    // TTL, since each vehicle is accessed every few seconds. RocksDB (production) cleans expired
    // entries at compaction instead. The cleanup strategy is not part of the state's serializer, so
    // savepoints restore either way.
    d.enableTimeToLive(
        StateTtlConfig.newBuilder(ttl)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .cleanupIncrementally(1, false)
            .build());
    lastFix = getRuntimeContext().getState(d);
  }

  @Override
  public void processElement(ProbeFix fix, Context ctx, Collector<ProbeFix> out) throws Exception {
    if (fix.headingDeg() == null) {
      out.collect(fix); // a loop detector: it does not move, and keeps no state here
      return;
    }
    double[] last = lastFix.value();
    if (last != null) {
      double kmh = impliedKmh(last[0], last[1], (long) last[2], fix.lon(), fix.lat(), fix.ts());
      boolean fresh = Math.abs(fix.ts() - (long) last[2]) > restartAfterMs;
      if (!fresh && kmh > maxKmh) {
        ctx.output(
            DeadLetters.TAG,
            new Rejected(
                    Reason.IMPOSSIBLE_JUMP,
                    String.format(
                        java.util.Locale.ROOT,
                        "%s moved at %.0f km/h since its previous fix",
                        fix.deviceId(),
                        kmh))
                .toDeadLetter(
                    fix.origin(), fix.deviceId(), System.currentTimeMillis(), TrafficJob.STAGE));
        return;
      }
    }
    lastFix.update(new double[] {fix.lon(), fix.lat(), fix.ts()});
    out.collect(fix);
  }

  /**
   * Speed implied by two fixes, in km/h, on a local equirectangular projection (metric at city
   * scale).
   */
  static double impliedKmh(double lon1, double lat1, long ts1, double lon2, double lat2, long ts2) {
    double metres = metres(lon1, lat1, lon2, lat2);
    long ms = Math.abs(ts2 - ts1);
    if (ms == 0) {
      return metres < 10 ? 0 : Double.POSITIVE_INFINITY;
    }
    return metres / ms * 3600.0;
  }

  static double metres(double lon1, double lat1, double lon2, double lat2) {
    double k = 111_320.0;
    double dx = (lon2 - lon1) * k * Math.cos(Math.toRadians((lat1 + lat2) / 2));
    double dy = (lat2 - lat1) * k;
    // Not Math.hypot: its care for overflow and the last bit costs about a twentieth of the
    // busiest task (issue 22), and a few kilometres cannot overflow.
    return Math.sqrt(dx * dx + dy * dy);
  }
}
