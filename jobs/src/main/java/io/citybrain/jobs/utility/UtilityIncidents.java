package io.citybrain.jobs.utility;

import io.citybrain.contract.Alert;
import java.util.Locale;

/**
 * The lifecycle of utility incidents, as a pure function: one incident per zone and kind, one alert
 * id for its whole life ({@code <kind>-<start ts>-<zone>}, the start being the event time of the
 * reading that raised it, so a replay yields the same id). Sent: {@code raised} when it starts,
 * {@code raised} again with fresh evidence when more meters are affected, {@code resolved} when it
 * ends. Anything else (the same meters still affected) is silent: no alarm fatigue.
 *
 * <p>Utility alerts go to the district (scope {@code district}): zones are not communities.
 */
public final class UtilityIncidents {
  private UtilityIncidents() {}

  public static final String WATER_BURST = "water_burst";
  public static final String POWER_OUTAGE = "power_outage";
  public static final String GAS_LEAK = "gas_leak";

  /**
   * An addition to contract v1's alert kinds: gas pressure outside the network's band (warning).
   */
  public static final String GAS_PRESSURE = "gas_pressure";

  /** The incident after the finding (null: none open) and the alert to send (null: none). */
  public record Step(ZoneIncident next, Alert alert) {}

  public static String alertId(String kind, long startTs, String zone) {
    return kind + "-" + startTs + "-" + zone;
  }

  public static Step next(ZoneIncident current, Finding f, ZonePlace zone, long ts) {
    if (current == null) {
      if (!f.holds()) {
        return new Step(null, null);
      }
      ZoneIncident inc = new ZoneIncident();
      inc.alertId = alertId(f.kind(), ts, zone.zone());
      inc.kind = f.kind();
      inc.severity = f.severity();
      inc.zone = zone.zone();
      inc.district = zone.district();
      inc.lat = f.lat();
      inc.lon = f.lon();
      inc.startTs = ts;
      inc.count = f.count();
      return new Step(inc, toAlert(inc, Alert.STATE_RAISED, f, ts));
    }
    if (f.over()) {
      return new Step(null, toAlert(current, Alert.STATE_RESOLVED, f, ts));
    }
    if (f.holds() && f.count() > current.count) {
      ZoneIncident inc = copy(current);
      inc.count = f.count();
      return new Step(inc, toAlert(inc, Alert.STATE_RAISED, f, ts));
    }
    return new Step(current, null);
  }

  private static ZoneIncident copy(ZoneIncident c) {
    ZoneIncident inc = new ZoneIncident();
    inc.alertId = c.alertId;
    inc.kind = c.kind;
    inc.severity = c.severity;
    inc.zone = c.zone;
    inc.district = c.district;
    inc.lat = c.lat;
    inc.lon = c.lon;
    inc.startTs = c.startTs;
    inc.count = c.count;
    return inc;
  }

  static Alert toAlert(ZoneIncident inc, String state, Finding f, long ts) {
    return new Alert(
        inc.alertId,
        inc.kind,
        inc.severity,
        state,
        inc.district,
        null,
        inc.lat,
        inc.lon,
        ts,
        message(inc, state, f),
        f.evidence(),
        Alert.SCOPE_DISTRICT,
        null);
  }

  static String message(ZoneIncident inc, String state, Finding f) {
    String z = inc.zone;
    boolean resolved = Alert.STATE_RESOLVED.equals(state);
    // A resolution quotes the incident at its worst, not the zero it ended at.
    int n = resolved ? inc.count : f.count();
    String m =
        switch (inc.kind) {
          case WATER_BURST ->
              String.format(
                  Locale.ROOT,
                  "疑似爆管：供水分区 %s 有 %d 个压力计低于基准 %.0f kPa 的 80%% / Suspected water-main burst: %d pressure sensors "
                      + "in zone %s at least 20%% below its median of %.0f kPa",
                  z,
                  n,
                  f.value(),
                  n,
                  z,
                  f.value());
          case POWER_OUTAGE ->
              String.format(
                  Locale.ROOT,
                  "停电：供电分区 %s 有 %d 个电表失电 / Power outage: %d meters without power in feeder zone %s",
                  z,
                  n,
                  n,
                  z);
          case GAS_LEAK ->
              String.format(
                  Locale.ROOT,
                  "燃气泄漏：燃气分区 %s 甲烷浓度 %.0f ppm / Gas leak: methane at %.0f ppm in gas zone %s",
                  z,
                  f.value(),
                  f.value(),
                  z);
          default ->
              String.format(
                  Locale.ROOT,
                  "燃气压力异常：燃气分区 %s 有 %d 个传感器超出正常范围 / Gas pressure out of band on %d sensors in gas zone %s",
                  z,
                  n,
                  n,
                  z);
        };
    return resolved ? "【已恢复】" + m + " — resolved" : m;
  }
}
