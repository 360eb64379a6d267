package io.citybrain.jobs.utility;

import java.util.ArrayList;
import java.util.List;

/**
 * Consumption from a meter's rate readings (flow in m³/h, or power in kW): the integral of the rate
 * over time, by the trapezoid rule between consecutive readings, split at window boundaries with
 * the rate interpolated linearly at each boundary. Summing readings would weigh a meter by how
 * often it reports; integrating gives m³ (or kWh) whatever the reporting interval.
 *
 * <p>Refinement (water utilities' practice with data gaps): a gap longer than {@code maxGapMs} is
 * not integrated. The meter was dark; what flowed then is unknown, and a straight line across an
 * hour-long gap would invent a volume. The consumption of such a gap is left out, not estimated.
 */
public final class Consumption {
  private Consumption() {}

  /** The part of a segment's consumption that falls in the window ending at {@code windowEnd}. */
  public record Slice(long windowEnd, double amount) {}

  private static final double MS_PER_HOUR = 3_600_000.0;

  /**
   * The consumption between readings {@code (t1, r1)} and {@code (t2, r2)} (rates per hour), one
   * slice per window of {@code windowMs} it touches, in time order. Empty when {@code t2 <= t1} or
   * the gap exceeds {@code maxGapMs}.
   */
  public static List<Slice> between(
      long t1, double r1, long t2, double r2, long windowMs, long maxGapMs) {
    List<Slice> out = new ArrayList<>(2);
    if (t2 <= t1 || t2 - t1 > maxGapMs) {
      return out;
    }
    long from = t1;
    double rateFrom = r1;
    while (from < t2) {
      long windowEnd = Math.floorDiv(from, windowMs) * windowMs + windowMs;
      long to = Math.min(windowEnd, t2);
      double rateTo = to == t2 ? r2 : r1 + (r2 - r1) * (to - t1) / (double) (t2 - t1);
      out.add(new Slice(windowEnd, (rateFrom + rateTo) / 2 * (to - from) / MS_PER_HOUR));
      from = to;
      rateFrom = rateTo;
    }
    return out;
  }
}
