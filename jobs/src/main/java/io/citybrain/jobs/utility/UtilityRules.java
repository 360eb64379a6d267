package io.citybrain.jobs.utility;

import io.citybrain.contract.Evidence;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The utility rules as pure functions of a zone's meters (their latest readings) at an event time.
 * No Flink here: {@link ZoneMonitor} keeps the state and decides when to ask.
 *
 * <p>Refinements of ARCHITECTURE.md's definitions, as utilities apply them:
 *
 * <ul>
 *   <li>Burst: the baseline is the median, over the trailing {@code baselineMinutes} closed
 *       minutes, of each minute's median pressure across the zone's reporting sensors. A median of
 *       medians ignores one faulty sensor and the burst's own first minutes; the baseline is frozen
 *       while a burst is open so that a long burst does not become the new normal. No burst is
 *       called before {@code baselineMinMinutes} of history. A sensor counts once, with its latest
 *       reading, and only if that reading is within the burst window of now. The incident ends when
 *       no sensor is low any more (one low sensor keeps it open: hysteresis against flapping).
 *   <li>Outage: meters below half the nominal voltage count only with a reading in the last two
 *       intervals. Dark meters are known meters silent for two intervals. An outage needs at least
 *       three affected meters either way: in a zone of four meters "a third dark" would otherwise
 *       be two meters, which one router reboot produces. It ends when the rule no longer holds.
 *   <li>Gas: a leak ends when every sensor that reads reads below half the critical level
 *       (hysteresis: a sensor hovering at 5,000 ppm must not flap). The pressure band is the
 *       network's, configured; out of band on any sensor is a warning until all are back in band.
 *   <li>Minimum night flow: the zone's lowest one-minute flow between 02:00 and 04:00 the city's
 *       time zone (its manifest's), in m³/h — the leakage indicator of district metered areas, when
 *       legitimate night use is smallest.
 * </ul>
 */
public final class UtilityRules {
  private UtilityRules() {}

  private static final LocalTime NIGHT_FROM = LocalTime.of(2, 0);
  private static final LocalTime NIGHT_TO = LocalTime.of(4, 0);

  /**
   * The median of the first {@code n} values (mean of the middle two for even n); NaN when n is 0.
   */
  public static double median(double[] values, int n) {
    if (n == 0) {
      return Double.NaN;
    }
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Whether the meter has a reading in the last two reporting intervals before {@code at}. */
  public static boolean fresh(MeterState m, long at, UtilitySettings s) {
    return m.lastTs >= at - 2 * s.reportingInterval().toMillis();
  }

  /** The median of the fresh sensors' latest pressures, NaN when none has one. */
  public static double medianLevel(Iterable<MeterState> meters, long at, UtilitySettings s) {
    double[] v = new double[16];
    int n = 0;
    for (MeterState m : meters) {
      if (fresh(m, at, s) && !Double.isNaN(m.level)) {
        if (n == v.length) {
          v = Arrays.copyOf(v, n * 2);
        }
        v[n++] = m.level;
      }
    }
    return median(v, n);
  }

  /**
   * Sensors whose latest pressure is at least {@code burstDrop} below the baseline, within the
   * burst window.
   */
  public static List<MeterState> lowPressure(
      Iterable<MeterState> meters, double baseline, long now, UtilitySettings s) {
    List<MeterState> low = new ArrayList<>();
    if (Double.isNaN(baseline)) {
      return low;
    }
    double threshold = (1 - s.burstDrop()) * baseline;
    for (MeterState m : meters) {
      if (!Double.isNaN(m.level)
          && m.level <= threshold
          && m.lastTs >= now - s.burstWindow().toMillis()) {
        low.add(m);
      }
    }
    low.sort(Comparator.comparing(m -> m.id));
    return low;
  }

  /**
   * The power meters of a zone at {@code at}.
   *
   * @param known meters the zone remembers
   * @param low meters with a recent reading below half the nominal voltage
   * @param dark known meters silent for two intervals
   */
  public record PowerStatus(int known, List<MeterState> low, List<MeterState> dark) {
    public boolean outage() {
      return low.size() >= 3 || (dark.size() >= 3 && 3 * dark.size() >= known);
    }

    public int affected() {
      return low.size() + dark.size();
    }
  }

  public static PowerStatus power(Iterable<MeterState> meters, long at, UtilitySettings s) {
    int known = 0;
    List<MeterState> low = new ArrayList<>();
    List<MeterState> dark = new ArrayList<>();
    for (MeterState m : meters) {
      known++;
      if (!fresh(m, at, s)) {
        dark.add(m);
      } else if (!Double.isNaN(m.level) && m.level < s.nominalVoltage() / 2) {
        low.add(m);
      }
    }
    low.sort(Comparator.comparing(m -> m.id));
    dark.sort(Comparator.comparing(m -> m.id));
    return new PowerStatus(known, low, dark);
  }

  /** Gas sensors whose latest reading is at or above {@code level} ppm. */
  public static List<MeterState> methaneAtLeast(Iterable<MeterState> meters, double level) {
    List<MeterState> out = new ArrayList<>();
    for (MeterState m : meters) {
      if (!Double.isNaN(m.ppm) && m.ppm >= level) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(m -> m.id));
    return out;
  }

  /** Gas sensors whose latest pressure is outside the configured band. */
  public static List<MeterState> pressureOutOfBand(Iterable<MeterState> meters, UtilitySettings s) {
    List<MeterState> out = new ArrayList<>();
    for (MeterState m : meters) {
      if (!Double.isNaN(m.level)
          && (m.level < s.gasPressureMinKpa() || m.level > s.gasPressureMaxKpa())) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(m -> m.id));
    return out;
  }

  /**
   * Whether the window {@code [windowEnd - windowMs, windowEnd)} lies in 02:00–04:00 in the city's
   * time zone.
   */
  public static boolean nightWindow(long windowEnd, long windowMs, ZoneId local) {
    LocalTime start = Instant.ofEpochMilli(windowEnd - windowMs).atZone(local).toLocalTime();
    return !start.isBefore(NIGHT_FROM) && start.isBefore(NIGHT_TO);
  }

  /**
   * 04:00 in the city's time zone on the local date of {@code ts}: the end of that night's
   * measurement.
   */
  public static long nightEnd(long ts, ZoneId local) {
    LocalDate day = Instant.ofEpochMilli(ts).atZone(local).toLocalDate();
    return ZonedDateTime.of(day, NIGHT_TO, local).toInstant().toEpochMilli();
  }

  /** One evidence line per meter, with the reading named {@code reading}. */
  public static Evidence[] evidence(List<MeterState> meters, String reading) {
    Evidence[] e = new Evidence[meters.size()];
    for (int i = 0; i < e.length; i++) {
      MeterState m = meters.get(i);
      double v = "ppm".equals(reading) ? m.ppm : m.level;
      e[i] = new Evidence(m.id, reading, Double.isNaN(v) ? 0 : v, m.lastTs);
    }
    return e;
  }
}
