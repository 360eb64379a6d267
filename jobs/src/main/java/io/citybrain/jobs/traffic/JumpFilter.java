package io.citybrain.jobs.traffic;

import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.DeviceTrack;
import io.citybrain.jobs.common.EventTimeOrder;
import io.citybrain.jobs.common.Rejected;
import java.time.Duration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * Refuses probe fixes that imply an impossible speed (over {@code maxKmh}, 200 km/h) since the
 * vehicle's last accepted fix: GPS multipath in a street canyon, or a clock gone wrong. The last
 * accepted fix is kept, not the refused one, so one bad fix does not condemn the next good one; a
 * fix more than {@code restartAfter} after the last accepted one starts afresh.
 *
 * <p>It runs inside the event-time ordering ({@link EventTimeOrder.InOrderCheck}), on each fix as
 * it is handed on, and keeps the last accepted fix in the vehicle's track there; the track lets it
 * go once the watermark is {@code restartAfter} past it, after which it would start afresh anyway.
 * Until issue 22 it was an operator of its own (uid {@code traffic-jumps}) with a processing-time
 * TTL state; savepoints of those builds restore (that state is dropped, see {@link TrafficJob}),
 * and a vehicle's first fix after such a restore is not checked.
 */
public final class JumpFilter implements EventTimeOrder.InOrderCheck<ProbeFix> {
  private static final long serialVersionUID = 1L;

  private final double maxKmh;
  private final long restartAfterMs;

  public JumpFilter(double maxKmh, Duration restartAfter) {
    this.maxKmh = maxKmh;
    this.restartAfterMs = restartAfter.toMillis();
  }

  @Override
  public long memoryMs() {
    return restartAfterMs;
  }

  @Override
  public boolean pass(
      ProbeFix fix,
      DeviceTrack<ProbeFix> track,
      KeyedProcessFunction<String, ProbeFix, ProbeFix>.Context ctx) {
    if (fix.headingDeg() == null) {
      return true; // a loop detector: it does not move, and keeps no position here
    }
    if (track.hasFix()) {
      double kmh =
          impliedKmh(
              track.fixLon(), track.fixLat(), track.fixTime(), fix.lon(), fix.lat(), fix.ts());
      boolean fresh = Math.abs(fix.ts() - track.fixTime()) > restartAfterMs;
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
        return false;
      }
    }
    track.setFix(fix.lon(), fix.lat(), fix.ts());
    return true;
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
