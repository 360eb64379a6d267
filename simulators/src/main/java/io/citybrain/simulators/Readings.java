package io.citybrain.simulators;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Plausible values for simulated readings. Pure functions of time and a noise sample. */
public final class Readings {
  private Readings() {}

  /**
   * How congested the roads are at {@code epochMs} local time, 0 (free) to 1 (jammed): peaks at
   * 08:00 and 18:00, quiet at night.
   */
  public static double congestion(long epochMs, ZoneId local) {
    ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(local);
    double h = t.getHour() + t.getMinute() / 60.0;
    double morning = Math.exp(-Math.pow((h - 8.0) / 1.2, 2));
    double evening = Math.exp(-Math.pow((h - 18.0) / 1.5, 2));
    double day = h >= 6 && h <= 22 ? 0.25 : 0.05;
    return Math.min(1.0, day + 0.6 * morning + 0.55 * evening);
  }

  /**
   * Mean speed on an urban road with free-flow speed {@code freeFlowKmh}, given congestion and
   * noise.
   */
  public static double speedKmh(double freeFlowKmh, double congestion, double noise) {
    double v = freeFlowKmh * (1.0 - 0.75 * congestion) + noise * 4.0;
    return Math.max(2.0, Math.min(freeFlowKmh * 1.2, v));
  }
}
