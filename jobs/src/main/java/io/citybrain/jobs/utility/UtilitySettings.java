package io.citybrain.jobs.utility;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.util.ParameterTool;

/**
 * The utility rules' thresholds and times; defaults are those of ARCHITECTURE.md. A wrong value
 * fails construction with a message naming its key.
 *
 * @param reportingInterval how often a meter is expected to report; a known meter silent for two
 *     intervals is dark, and two intervals bound the outage rule's evidence
 * @param nominalVoltage the supply voltage; below half of it a meter counts as without power
 * @param burstDrop the fraction below the zone's trailing median pressure that counts as low
 * @param burstWindow low readings on two sensors within this are a suspected burst
 * @param baselineMinutes how many closed minutes the trailing median of pressure looks back over
 * @param baselineMinMinutes the burst rule stays quiet until the zone has this many minutes of
 *     history
 * @param gasPpmCritical methane at or above this is a leak (10% of the lower explosive limit)
 * @param gasPressureMinKpa lower end of the gas network's normal pressure band
 * @param gasPressureMaxKpa upper end of that band
 * @param forgetAfter a meter silent this long is forgotten (its state freed; it no longer counts as
 *     dark)
 */
public record UtilitySettings(
    Duration reportingInterval,
    double nominalVoltage,
    double burstDrop,
    Duration burstWindow,
    int baselineMinutes,
    int baselineMinMinutes,
    double gasPpmCritical,
    double gasPressureMinKpa,
    double gasPressureMaxKpa,
    Duration forgetAfter)
    implements Serializable {

  public static final String REPORTING_INTERVAL = "utility.reporting-interval";
  public static final String NOMINAL_VOLTAGE = "utility.nominal-voltage";
  public static final String BURST_DROP = "utility.burst-drop";
  public static final String BURST_WINDOW = "utility.burst-window";
  public static final String BASELINE_MINUTES = "utility.baseline-minutes";
  public static final String BASELINE_MIN_MINUTES = "utility.baseline-min-minutes";
  public static final String GAS_PPM_CRITICAL = "utility.gas-ppm-critical";
  public static final String GAS_PRESSURE_MIN_KPA = "utility.gas-pressure-min-kpa";
  public static final String GAS_PRESSURE_MAX_KPA = "utility.gas-pressure-max-kpa";
  public static final String FORGET_AFTER = "utility.forget-after";

  /** The keys read here. */
  public static final List<String> KEYS =
      List.of(
          REPORTING_INTERVAL,
          NOMINAL_VOLTAGE,
          BURST_DROP,
          BURST_WINDOW,
          BASELINE_MINUTES,
          BASELINE_MIN_MINUTES,
          GAS_PPM_CRITICAL,
          GAS_PRESSURE_MIN_KPA,
          GAS_PRESSURE_MAX_KPA,
          FORGET_AFTER);

  public UtilitySettings {
    positive(reportingInterval, REPORTING_INTERVAL);
    if (!(nominalVoltage > 0)) {
      throw new IllegalArgumentException(
          "utility.nominal-voltage must be positive, got " + nominalVoltage);
    }
    if (!(burstDrop > 0 && burstDrop < 1)) {
      throw new IllegalArgumentException(
          "utility.burst-drop must be between 0 and 1, got " + burstDrop);
    }
    positive(burstWindow, BURST_WINDOW);
    if (baselineMinutes < 1 || baselineMinMinutes < 1 || baselineMinMinutes > baselineMinutes) {
      throw new IllegalArgumentException(
          "utility.baseline-minutes must be at least utility.baseline-min-minutes (≥ 1), got "
              + baselineMinutes
              + " and "
              + baselineMinMinutes);
    }
    if (!(gasPpmCritical > 0)) {
      throw new IllegalArgumentException(
          "utility.gas-ppm-critical must be positive, got " + gasPpmCritical);
    }
    if (!(gasPressureMinKpa >= 0 && gasPressureMaxKpa > gasPressureMinKpa)) {
      throw new IllegalArgumentException(
          "utility.gas-pressure-min-kpa must be non-negative and below utility.gas-pressure-max-kpa, got "
              + gasPressureMinKpa
              + " and "
              + gasPressureMaxKpa);
    }
    positive(forgetAfter, FORGET_AFTER);
    if (forgetAfter.compareTo(reportingInterval.multipliedBy(2)) <= 0) {
      throw new IllegalArgumentException(
          "utility.forget-after must exceed two utility.reporting-interval");
    }
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  /**
   * One-minute reporting, 220 V, 20% drop within 5 minutes against a 30-minute median (after 5
   * minutes of history), 5,000 ppm, a 1–5 kPa band (a low-pressure city distribution network),
   * meters forgotten after an hour of silence.
   */
  public static UtilitySettings defaults() {
    return new UtilitySettings(
        Duration.ofMinutes(1),
        220,
        0.2,
        Duration.ofMinutes(5),
        30,
        5,
        5_000,
        1.0,
        5.0,
        Duration.ofHours(1));
  }

  /** Reads the {@code utility.*} keys (durations in seconds), the defaults for those absent. */
  public static UtilitySettings fromArgs(String[] args) {
    ParameterTool p = ParameterTool.fromArgs(args);
    UtilitySettings d = defaults();
    return new UtilitySettings(
        Duration.ofMillis(
            Math.round(
                number(p, REPORTING_INTERVAL, d.reportingInterval.toMillis() / 1000.0) * 1000)),
        number(p, NOMINAL_VOLTAGE, d.nominalVoltage),
        number(p, BURST_DROP, d.burstDrop),
        Duration.ofMillis(
            Math.round(number(p, BURST_WINDOW, d.burstWindow.toMillis() / 1000.0) * 1000)),
        (int) number(p, BASELINE_MINUTES, d.baselineMinutes),
        (int) number(p, BASELINE_MIN_MINUTES, d.baselineMinMinutes),
        number(p, GAS_PPM_CRITICAL, d.gasPpmCritical),
        number(p, GAS_PRESSURE_MIN_KPA, d.gasPressureMinKpa),
        number(p, GAS_PRESSURE_MAX_KPA, d.gasPressureMaxKpa),
        Duration.ofMillis(
            Math.round(number(p, FORGET_AFTER, d.forgetAfter.toMillis() / 1000.0) * 1000)));
  }

  private static double number(ParameterTool p, String key, double fallback) {
    String v = p.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
    }
  }
}
