package io.citybrain.jobs.utility;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Everything the utility job knows about one zone, keyed by zone id: its meters' latest readings,
 * its open one-minute event-time windows, its pressure baseline and its open incidents.
 *
 * <p>Windows: a reading goes to the window containing its event time. A window's consumption is
 * only complete once each meter's first reading after the window end has arrived (the trapezoid
 * from the last reading inside to the first one after), so the row is emitted when the watermark
 * passes the window end plus one reporting interval ({@code settle}), and re-emitted (same
 * timestamp, so the store overwrites) for a reading within the allowed lateness after that; a later
 * reading becomes a dead letter {@code late}. While the zone has known meters, every minute gets a
 * row even if none reported, so dark meters show. Dark meters, the outage rule and the burst rule's
 * end are evaluated as of the window end, when the row is emitted.
 *
 * <p>Hours ({@link #HOURLY}): each minute window belongs to one hour window, kept beside it with
 * the same fields. An hour's consumption and lowest pressure are those of its minutes (the same
 * slices are added to both, so the hour is exactly the sum of its minutes as written); its {@code
 * meters_reporting} counts distinct meters, which no sum of minute rows can give; its dark meters
 * are those of its last minute. The hour is written when its last minute is, rewritten by late data
 * like it, and freed with it.
 *
 * <p>Rules: the burst and gas rules run on each reading (gas "at once"), and again at each window
 * close so that incidents also end when their sensors fall silent; the outage rule, which counts
 * silence, runs at each window close. A reading older than its meter's latest one updates its
 * window's row but not the meter's latest values, nor consumption (the trapezoid runs forward
 * only).
 *
 * <p>State is freed: a meter silent for {@code forgetAfter} is forgotten, a window after its
 * allowed lateness, an hour with its last minute, and the zone (state and timer chain) when no
 * meter is left.
 */
public final class ZoneMonitor extends KeyedProcessFunction<String, UtilityReading, UtilityZone> {

  public static final OutputTag<Alert> ALERTS = new OutputTag<>("utility-alerts") {};
  public static final OutputTag<NightFlow> NIGHT_FLOW = new OutputTag<>("night-flow") {};

  /**
   * {@code utility_zone_hourly} rows: the same fields over the hour ending at {@code windowEnd}.
   */
  public static final OutputTag<UtilityZone> HOURLY = new OutputTag<>("utility-zone-hourly") {};

  public static final long HOUR_MS = 3_600_000L;

  private final UtilitySettings settings;
  private final long windowMs;
  private final long latenessMs;
  private final long settleMs;
  private final String stage;
  private final java.time.ZoneId local;

  private transient ValueState<ZoneState> zoneState;
  private transient MapState<String, MeterState> meters;
  private transient MapState<Long, ZoneWindow> windows;
  private transient MapState<Long, ZoneWindow> hours;
  private transient MapState<String, ZoneIncident> incidents;

  /**
   * {@code local}: the city's time zone (its manifest's), in which the night-flow window is
   * 02:00–04:00.
   */
  public ZoneMonitor(
      UtilitySettings settings,
      long windowMs,
      long latenessMs,
      String stage,
      java.time.ZoneId local) {
    if (windowMs <= 0 || HOUR_MS % windowMs != 0) {
      throw new IllegalArgumentException(
          "the zone window must divide an hour, got " + windowMs + " ms");
    }
    this.settings = settings;
    this.windowMs = windowMs;
    this.latenessMs = latenessMs;
    this.settleMs = settings.reportingInterval().toMillis();
    this.stage = stage;
    this.local = local;
  }

  @Override
  public void open(OpenContext context) {
    zoneState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("zone", TypeInformation.of(ZoneState.class)));
    meters =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "meters", Types.STRING, TypeInformation.of(MeterState.class)));
    windows =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "windows", Types.LONG, TypeInformation.of(ZoneWindow.class)));
    hours =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "hours", Types.LONG, TypeInformation.of(ZoneWindow.class)));
    incidents =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "incidents", Types.STRING, TypeInformation.of(ZoneIncident.class)));
  }

  private long windowEnd(long ts) {
    return Math.floorDiv(ts, windowMs) * windowMs + windowMs;
  }

  /**
   * The end of the hour holding the window ending at {@code end}: whole UTC hours, which are
   * Hangzhou's too.
   */
  private static long hourEnd(long end) {
    return Math.floorDiv(end - 1, HOUR_MS) * HOUR_MS + HOUR_MS;
  }

  @Override
  public void processElement(UtilityReading r, Context ctx, Collector<UtilityZone> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long end = windowEnd(r.ts());
    if (end + settleMs + latenessMs <= watermark) {
      ctx.output(
          DeadLetters.TAG,
          DeadLetter.of(
              Reason.LATE,
              "reading for " + r.ts() + " arrived after its window closed",
              r.topic(),
              r.deviceId(),
              r.raw(),
              System.currentTimeMillis(),
              stage));
      return;
    }
    ZoneState z = zoneState.value();
    if (z == null) {
      z = new ZoneState();
      z.zone = r.zone();
      z.district = r.district();
      z.utility = r.utility();
    }
    MeterState m = meters.get(r.deviceId());
    boolean isNew = m == null;
    if (isNew) {
      m = new MeterState(r.deviceId(), r.lat(), r.lon());
    }
    ZoneWindow w = window(end, ctx);
    ZoneWindow h = hour(end);
    if (m.countIn(end)) {
      w.reporting++;
    }
    if (m.countInHour(h.end)) {
      h.reporting++;
    }
    if (!"power".equals(r.utility()) && !Double.isNaN(r.level())) {
      w.pressureMin = Double.isNaN(w.pressureMin) ? r.level() : Math.min(w.pressureMin, r.level());
      h.pressureMin = Double.isNaN(h.pressureMin) ? r.level() : Math.min(h.pressureMin, r.level());
    }
    windows.put(end, w);
    hours.put(h.end, h);
    reemitIfClosed(w, z, out);
    reemitIfClosed(h, z, ctx);
    if (isNew || r.ts() > m.lastTs) {
      if (!isNew && !Double.isNaN(r.rate()) && !Double.isNaN(m.rate)) {
        for (Consumption.Slice s :
            Consumption.between(
                m.lastTs,
                m.rate,
                r.ts(),
                r.rate(),
                windowMs,
                2 * settings.reportingInterval().toMillis())) {
          ZoneWindow sw =
              s.windowEnd() == end
                  ? windows.get(end)
                  : s.windowEnd() + settleMs + latenessMs > watermark
                      ? window(s.windowEnd(), ctx)
                      : null;
          if (sw != null) {
            sw.consumption += s.amount();
            windows.put(s.windowEnd(), sw);
            reemitIfClosed(sw, z, out);
            ZoneWindow sh = hour(s.windowEnd());
            sh.consumption += s.amount();
            hours.put(sh.end, sh);
            reemitIfClosed(sh, z, ctx);
          }
        }
      }
      m.lastTs = r.ts();
      m.rate = r.rate();
      m.level = r.level();
      m.ppm = r.ppm();
      m.lat = r.lat();
      m.lon = r.lon();
    }
    meters.put(r.deviceId(), m);
    zoneState.update(z);
    if (isNew || r.ts() >= m.lastTs) {
      onReading(z, m, r.ts(), ctx);
    }
  }

  /** The window ending at {@code end}, created (with its timer) if new. */
  private ZoneWindow window(long end, Context ctx) throws Exception {
    ZoneWindow w = windows.get(end);
    if (w == null) {
      w = new ZoneWindow(end);
      ctx.timerService().registerEventTimeTimer(end + settleMs);
    }
    return w;
  }

  /**
   * The hour holding the window ending at {@code end}, created if new. It needs no timer of its
   * own: it closes with its last minute, and every minute of it that exists has a timer.
   */
  private ZoneWindow hour(long end) throws Exception {
    long h = hourEnd(end);
    ZoneWindow w = hours.get(h);
    return w == null ? new ZoneWindow(h) : w;
  }

  private void reemitIfClosed(ZoneWindow w, ZoneState z, Collector<UtilityZone> out) {
    if (w.emitted) {
      out.collect(row(z, w));
    }
  }

  private void reemitIfClosed(ZoneWindow h, ZoneState z, Context ctx) {
    if (h.emitted) {
      ctx.output(HOURLY, row(z, h));
    }
  }

  private UtilityZone row(ZoneState z, ZoneWindow w) {
    Double consumption = "gas".equals(z.utility) ? null : w.consumption;
    Double pressure = Double.isNaN(w.pressureMin) ? null : w.pressureMin;
    return new UtilityZone(
        z.zone, z.district, z.utility, w.end, consumption, pressure, w.reporting, w.dark);
  }

  /** The rules that run at once; cheap unless this reading is abnormal or an incident is open. */
  private void onReading(ZoneState z, MeterState m, long now, Context ctx) throws Exception {
    if ("water".equals(z.utility)) {
      double baseline = z.baseline(settings.baselineMinMinutes());
      boolean low = !Double.isNaN(baseline) && m.level <= (1 - settings.burstDrop()) * baseline;
      if (low || incidents.contains(UtilityIncidents.WATER_BURST)) {
        apply(z, burst(z, now), now, ctx);
      }
    } else if ("gas".equals(z.utility)) {
      if (m.ppm >= settings.gasPpmCritical() || incidents.contains(UtilityIncidents.GAS_LEAK)) {
        apply(z, leak(), now, ctx);
      }
      boolean outOfBand =
          m.level < settings.gasPressureMinKpa() || m.level > settings.gasPressureMaxKpa();
      if (outOfBand || incidents.contains(UtilityIncidents.GAS_PRESSURE)) {
        apply(z, gasPressure(), now, ctx);
      }
    }
  }

  private Finding burst(ZoneState z, long now) throws Exception {
    double baseline = z.baseline(settings.baselineMinMinutes());
    List<MeterState> low = UtilityRules.lowPressure(meters.values(), baseline, now, settings);
    MeterState first = low.isEmpty() ? null : low.get(0);
    return new Finding(
        UtilityIncidents.WATER_BURST,
        Alert.SEVERITY_CRITICAL,
        low.size() >= 2,
        low.isEmpty(),
        UtilityRules.evidence(low, Reading.PRESSURE_KPA),
        low.size(),
        baseline,
        first == null ? 0 : first.lat,
        first == null ? 0 : first.lon);
  }

  private Finding leak() throws Exception {
    List<MeterState> high = UtilityRules.methaneAtLeast(meters.values(), settings.gasPpmCritical());
    List<MeterState> elevated =
        UtilityRules.methaneAtLeast(meters.values(), settings.gasPpmCritical() / 2);
    double max = 0;
    for (MeterState m : elevated) {
      max = Math.max(max, m.ppm);
    }
    List<MeterState> shown = high.isEmpty() ? elevated : high;
    MeterState first = shown.isEmpty() ? null : shown.get(0);
    return new Finding(
        UtilityIncidents.GAS_LEAK,
        Alert.SEVERITY_CRITICAL,
        !high.isEmpty(),
        elevated.isEmpty(),
        UtilityRules.evidence(shown, "ppm"),
        shown.size(),
        max,
        first == null ? 0 : first.lat,
        first == null ? 0 : first.lon);
  }

  private Finding gasPressure() throws Exception {
    List<MeterState> out = UtilityRules.pressureOutOfBand(meters.values(), settings);
    MeterState first = out.isEmpty() ? null : out.get(0);
    return new Finding(
        UtilityIncidents.GAS_PRESSURE,
        Alert.SEVERITY_WARNING,
        !out.isEmpty(),
        out.isEmpty(),
        UtilityRules.evidence(out, Reading.PRESSURE_KPA),
        out.size(),
        first == null ? 0 : first.level,
        first == null ? 0 : first.lat,
        first == null ? 0 : first.lon);
  }

  private Finding outage(UtilityRules.PowerStatus p) {
    List<MeterState> affected = new ArrayList<>(p.low());
    affected.addAll(p.dark());
    MeterState first = affected.isEmpty() ? null : affected.get(0);
    return new Finding(
        UtilityIncidents.POWER_OUTAGE,
        Alert.SEVERITY_CRITICAL,
        p.outage(),
        !p.outage(),
        UtilityRules.evidence(affected, "voltageV"),
        p.affected(),
        0,
        first == null ? 0 : first.lat,
        first == null ? 0 : first.lon);
  }

  private void apply(ZoneState z, Finding f, long ts, Context ctx) throws Exception {
    ZoneIncident current = incidents.get(f.kind());
    UtilityIncidents.Step step =
        UtilityIncidents.next(current, f, new ZonePlace(z.zone, z.district), ts);
    if (step.next() == null) {
      if (current != null) {
        incidents.remove(f.kind());
      }
    } else if (step.next() != current) {
      incidents.put(f.kind(), step.next());
    }
    if (step.alert() != null) {
      ctx.output(ALERTS, step.alert());
    }
  }

  @Override
  public void onTimer(long t, OnTimerContext ctx, Collector<UtilityZone> out) throws Exception {
    ZoneState z = zoneState.value();
    if (z == null) {
      return;
    }
    long end = t - settleMs;
    ZoneWindow w = windows.get(end);
    if (w != null && !w.emitted) {
      close(z, w, end, ctx, out);
    }
    ZoneWindow expired = windows.get(end - latenessMs);
    if (expired != null && expired.emitted) {
      windows.remove(end - latenessMs);
      ZoneWindow expiredHour = hours.get(end - latenessMs);
      if (expiredHour != null && expiredHour.emitted) {
        hours.remove(end - latenessMs);
      }
    }
    if (meters.isEmpty()) {
      for (String kind : iterableToList(incidents.keys())) {
        ZoneIncident inc = incidents.get(kind);
        ctx.output(
            ALERTS,
            UtilityIncidents.toAlert(
                inc,
                Alert.STATE_RESOLVED,
                new Finding(
                    kind, inc.severity, false, true, new Evidence[0], 0, 0, inc.lat, inc.lon),
                end));
      }
      incidents.clear();
      if (windows.isEmpty()) {
        // An hour not closed yet has no reading left in it: its meters were silent for forgetAfter
        // (≥ an hour by default).
        hours.clear();
        zoneState.clear();
        return;
      }
    } else if (!windows.contains(end + windowMs)) {
      // The tick: keep closing minutes while the zone has meters, so silence is seen.
      windows.put(end + windowMs, new ZoneWindow(end + windowMs));
      ctx.timerService().registerEventTimeTimer(end + windowMs + settleMs);
      if (!hours.contains(hourEnd(end + windowMs))) {
        hours.put(hourEnd(end + windowMs), new ZoneWindow(hourEnd(end + windowMs)));
      }
    }
    zoneState.update(z);
  }

  private static List<String> iterableToList(Iterable<String> it) {
    List<String> l = new ArrayList<>();
    it.forEach(l::add);
    return l;
  }

  /** Emits the window ending at {@code t} and runs the rules as of {@code t}. */
  private void close(
      ZoneState z, ZoneWindow w, long t, OnTimerContext ctx, Collector<UtilityZone> out)
      throws Exception {
    List<String> forgotten = new ArrayList<>();
    long dark = 0;
    for (MeterState m : meters.values()) {
      if (m.lastTs < t - settings.forgetAfter().toMillis()) {
        forgotten.add(m.id);
      } else if (!UtilityRules.fresh(m, t, settings)) {
        dark++;
      }
    }
    for (String id : forgotten) {
      meters.remove(id);
    }
    w.dark = dark;
    w.emitted = true;
    if (latenessMs == 0) {
      windows.remove(t);
    } else {
      windows.put(t, w);
      ctx.timerService().registerEventTimeTimer(t + settleMs + latenessMs);
    }
    out.collect(row(z, w));
    ZoneWindow h = hours.get(t);
    if (h != null) {
      // Dark meters of the hour: as of its end, like the minute's (known meters silent for two
      // intervals).
      h.dark = dark;
      h.emitted = true;
      if (latenessMs == 0) {
        hours.remove(t);
      } else {
        hours.put(t, h);
      }
      ctx.output(HOURLY, row(z, h));
    }

    if ("water".equals(z.utility)) {
      // Also when nothing is open: readings processed before the watermark gave the zone its
      // baseline (a fast replay) are judged here instead of being missed.
      apply(z, burst(z, t), t, ctx);
      double median = UtilityRules.medianLevel(meters.values(), t, settings);
      if (!Double.isNaN(median) && !incidents.contains(UtilityIncidents.WATER_BURST)) {
        z.pushMedian(median, settings.baselineMinutes());
      }
      nightFlow(z, w, t, ctx);
    } else if ("power".equals(z.utility)) {
      apply(z, outage(UtilityRules.power(meters.values(), t, settings)), t, ctx);
    } else if ("gas".equals(z.utility)) {
      if (incidents.contains(UtilityIncidents.GAS_LEAK)) {
        apply(z, leak(), t, ctx);
      }
    }
  }

  private void nightFlow(ZoneState z, ZoneWindow w, long t, OnTimerContext ctx) {
    if (UtilityRules.nightWindow(t, windowMs, local) && w.reporting > 0) {
      double flow = w.consumption * 3_600_000.0 / windowMs;
      z.nightMin = Double.isNaN(z.nightMin) ? flow : Math.min(z.nightMin, flow);
      z.nightMinutes++;
    }
    if (t == UtilityRules.nightEnd(t, local) && z.nightMinutes > 0) {
      ctx.output(NIGHT_FLOW, new NightFlow(z.zone, z.district, t, z.nightMin, z.nightMinutes));
      z.nightMin = Double.NaN;
      z.nightMinutes = 0;
    }
  }
}
