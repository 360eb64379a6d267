package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Evidence;
import io.citybrain.geo.CityModel;
import io.citybrain.jobs.common.DeadLetters;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zone operator in Flink's keyed harness: rows, alerts, lateness, and state and timers freed.
 */
class ZoneMonitorHarnessTest {

  private static final long MINUTE = 60_000L;
  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  private static final CityModel CITY = CityModel.hangzhou();
  private static final String W = zoneOf("w-330106-");
  private static final String P = zoneOf("p-330106-");
  private static final String G = zoneOf("g-330106-");

  private KeyedOneInputStreamOperatorTestHarness<String, UtilityReading, UtilityZone> harness;

  /** The first zone of the model whose id starts so (the operator takes zone ids as they come). */
  private static String zoneOf(String prefix) {
    return CITY.zones().stream()
        .map(io.citybrain.geo.UtilityZone::id)
        .filter(id -> id.startsWith(prefix))
        .findFirst()
        .orElseThrow();
  }

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new ZoneMonitor(
                    UtilitySettings.defaults(),
                    MINUTE,
                    MINUTE,
                    "utility",
                    java.time.ZoneId.of("Asia/Shanghai"))),
            UtilityReading::zone,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private void read(
      String id, String utility, String zone, long ts, double rate, double level, double ppm)
      throws Exception {
    harness.processElement(
        new StreamRecord<>(
            new UtilityReading(
                id,
                utility,
                zone,
                "330106",
                30.25,
                120.14,
                ts,
                rate,
                level,
                ppm,
                "city.raw.utility",
                new byte[] {1}),
            ts));
  }

  private void water(String id, long ts, double flow, double kpa) throws Exception {
    read(id, "water", W, ts, flow, kpa, Double.NaN);
  }

  private void power(String id, long ts, double kw, double volts) throws Exception {
    read(id, "power", P, ts, kw, volts, Double.NaN);
  }

  private <T> List<T> drain(OutputTag<T> tag) {
    Queue<StreamRecord<T>> q = harness.getSideOutput(tag);
    if (q == null) {
      return List.of();
    }
    List<T> out = q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    q.clear();
    return out;
  }

  private List<UtilityZone> rows() {
    List<UtilityZone> out = harness.extractOutputValues();
    harness.getOutput().clear();
    return out;
  }

  @Test
  void aBurstOnTwoSensorsIsOneAlertResolvedWhenPressureReturnsAndTheZoneIsFreedAfterSilence()
      throws Exception {
    // Ten quiet minutes: 6, 12 and 18 m³/h at 400 kPa, readings at :30.
    for (int k = 0; k < 10; k++) {
      water("wm-1", T0 + k * MINUTE + 30_000, 6, 400);
      water("wm-2", T0 + k * MINUTE + 30_000, 12, 400);
      water("wm-3", T0 + k * MINUTE + 30_000, 18, 400);
      harness.processWatermark(new Watermark(T0 + (k + 1) * MINUTE));
    }
    // A row is written one reporting interval after its window, once the next readings completed
    // it: by 08:10 the windows ending 08:01 .. 08:09, each once.
    List<UtilityZone> quiet = rows();
    assertThat(quiet)
        .extracting(UtilityZone::windowEnd)
        .containsExactly(
            T0 + MINUTE,
            T0 + 2 * MINUTE,
            T0 + 3 * MINUTE,
            T0 + 4 * MINUTE,
            T0 + 5 * MINUTE,
            T0 + 6 * MINUTE,
            T0 + 7 * MINUTE,
            T0 + 8 * MINUTE,
            T0 + 9 * MINUTE);
    // The first window holds half a minute of (6 + 12 + 18) m³/h = 0.3 m³, the others a whole
    // minute: 0.6 m³.
    assertThat(quiet.get(0).consumption()).isCloseTo(0.3, within(1e-9));
    assertThat(quiet.get(0))
        .extracting(
            UtilityZone::pressureKpaMin, UtilityZone::metersReporting, UtilityZone::metersDark)
        .containsExactly(400.0, 3L, 0L);
    assertThat(quiet.subList(1, 9))
        .allSatisfy(r -> assertThat(r.consumption()).isCloseTo(0.6, within(1e-9)));
    assertThat(drain(ZoneMonitor.ALERTS)).isEmpty();

    long t = T0 + 10 * MINUTE + 30_000;
    water("wm-1", t, 30, 310);
    assertThat(drain(ZoneMonitor.ALERTS)).as("one low sensor is not a burst").isEmpty();
    water("wm-2", t + 10_000, 30, 300);
    List<Alert> raised = drain(ZoneMonitor.ALERTS);
    assertThat(raised)
        .extracting(Alert::alertId, Alert::kind, Alert::severity, Alert::state, Alert::ts)
        .containsExactly(
            tuple(
                "water_burst-" + (t + 10_000) + "-" + W,
                "water_burst",
                "critical",
                "raised",
                t + 10_000));
    assertThat(raised.get(0).evidence())
        .containsExactly(
            new Evidence("wm-1", "pressureKPa", 310, t),
            new Evidence("wm-2", "pressureKPa", 300, t + 10_000));
    water("wm-3", t + 20_000, 18, 400);
    water("wm-1", t + MINUTE, 30, 305);
    harness.processWatermark(new Watermark(T0 + 12 * MINUTE));
    assertThat(drain(ZoneMonitor.ALERTS)).as("the same two sensors: no new message").isEmpty();
    assertThat(rows())
        .extracting(UtilityZone::windowEnd, UtilityZone::pressureKpaMin)
        .containsExactly(tuple(T0 + 10 * MINUTE, 400.0), tuple(T0 + 11 * MINUTE, 300.0));

    water("wm-1", t + 2 * MINUTE, 6, 400);
    assertThat(drain(ZoneMonitor.ALERTS)).as("one sensor still low keeps it open").isEmpty();
    water("wm-2", t + 2 * MINUTE, 12, 400);
    assertThat(drain(ZoneMonitor.ALERTS))
        .extracting(Alert::alertId, Alert::state)
        .containsExactly(tuple("water_burst-" + (t + 10_000) + "-" + W, "resolved"));

    harness.processWatermark(new Watermark(T0 + 3 * 60 * MINUTE));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void anHourlyRowIntegratesItsMinutesCountsDistinctMetersAndIsRewrittenByLateData()
      throws Exception {
    // wm-1 reads 6 m³/h every minute at :30 from 08:00:30 to 09:00:30; wm-2 12 m³/h from 08:30:30
    // (350 kPa once, at 08:45:30, else 380); wm-3 3 m³/h at 08:00:30 and 08:01:30, then falls
    // silent.
    for (int k = 0; k <= 60; k++) {
      long ts = T0 + k * MINUTE + 30_000;
      water("wm-1", ts, 6, 400);
      if (k >= 30) {
        water("wm-2", ts, 12, k == 45 ? 350 : 380);
      }
      if (k <= 1) {
        water("wm-3", ts, 3, 400);
      }
      harness.processWatermark(new Watermark(T0 + (k + 1) * MINUTE));
    }
    long nine = T0 + 60 * MINUTE;
    // 08:00-09:00: wm-1 59.5 min x 0.1 m³/min = 5.95, wm-2 29.5 min x 0.2 = 5.9, wm-3 1 min x 0.05
    // = 0.05; three distinct meters (the minutes count 92 readings); wm-3 dark at 09:00.
    List<UtilityZone> hourly = drain(ZoneMonitor.HOURLY);
    assertThat(hourly)
        .extracting(
            UtilityZone::zone,
            UtilityZone::district,
            UtilityZone::utility,
            UtilityZone::windowEnd,
            UtilityZone::pressureKpaMin,
            UtilityZone::metersReporting,
            UtilityZone::metersDark)
        .containsExactly(tuple(W, "330106", "water", nine, 350.0, 3L, 1L));
    assertThat(hourly.get(0).consumption()).isCloseTo(11.9, within(1e-9));
    List<UtilityZone> minutes = rows();
    assertThat(minutes).hasSize(60);
    assertThat(minutes.stream().mapToDouble(UtilityZone::consumption).sum())
        .as("the hour is the sum of its minutes")
        .isCloseTo(11.9, within(1e-9));

    // Within the lateness: a new meter at 08:59:50 (340 kPa) joins the hour; its next reading at
    // 09:00:50 adds 10 s of 60 m³/h to it (1/6 m³).
    water("wm-4", nine - 10_000, 60, 340);
    assertThat(drain(ZoneMonitor.HOURLY))
        .extracting(
            UtilityZone::windowEnd,
            UtilityZone::pressureKpaMin,
            UtilityZone::metersReporting,
            UtilityZone::metersDark)
        .containsExactly(tuple(nine, 340.0, 4L, 1L));
    water("wm-4", nine + 50_000, 60, 340);
    List<UtilityZone> rewritten = drain(ZoneMonitor.HOURLY);
    assertThat(rewritten).extracting(UtilityZone::windowEnd).containsExactly(nine);
    assertThat(rewritten.get(0).consumption()).isCloseTo(11.9 + 1.0 / 6, within(1e-9));

    // 09:00-10:00: 30 s of wm-1 (0.05), 30 s of wm-2 (0.1), 50 s of wm-4 (5/6); all three dark at
    // 10:00. The meters are forgotten after an hour of silence, then the zone: no 11:00 row, no
    // state, no timer.
    harness.processWatermark(new Watermark(T0 + 4 * 60 * MINUTE));
    List<UtilityZone> next = drain(ZoneMonitor.HOURLY);
    assertThat(next)
        .extracting(
            UtilityZone::windowEnd,
            UtilityZone::pressureKpaMin,
            UtilityZone::metersReporting,
            UtilityZone::metersDark)
        .containsExactly(tuple(nine + 60 * MINUTE, 340.0, 3L, 3L));
    assertThat(next.get(0).consumption()).isCloseTo(0.05 + 0.1 + 5.0 / 6, within(1e-9));
    assertThat(drain(ZoneMonitor.ALERTS)).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aThirdOfThePowerMetersFallingSilentIsAnOutageRestoredWhenTheyReport() throws Exception {
    for (int k = 0; k < 3; k++) {
      for (int i = 1; i <= 6; i++) {
        power("pm-" + i, T0 + k * MINUTE, 1.2, 221);
      }
      harness.processWatermark(new Watermark(T0 + k * MINUTE + 1));
    }
    // From 08:03 meters 4..6 are silent; at the close of 08:05 they have missed two intervals.
    for (int k = 3; k < 6; k++) {
      for (int i = 1; i <= 3; i++) {
        power("pm-" + i, T0 + k * MINUTE, 1.2, 221);
      }
      harness.processWatermark(new Watermark(T0 + k * MINUTE + 1));
    }
    assertThat(drain(ZoneMonitor.ALERTS)).as("up to 08:04 they missed one reading only").isEmpty();
    harness.processWatermark(new Watermark(T0 + 6 * MINUTE));
    List<Alert> raised = drain(ZoneMonitor.ALERTS);
    assertThat(raised)
        .extracting(Alert::alertId, Alert::state, Alert::ts)
        .containsExactly(
            tuple("power_outage-" + (T0 + 5 * MINUTE) + "-" + P, "raised", T0 + 5 * MINUTE));
    assertThat(raised.get(0).evidence())
        .extracting(Evidence::deviceId)
        .containsExactly("pm-4", "pm-5", "pm-6");
    assertThat(rows())
        .extracting(UtilityZone::windowEnd, UtilityZone::metersReporting, UtilityZone::metersDark)
        .endsWith(tuple(T0 + 4 * MINUTE, 3L, 0L), tuple(T0 + 5 * MINUTE, 3L, 3L));

    for (int i = 1; i <= 6; i++) {
      power("pm-" + i, T0 + 6 * MINUTE, 0.4, 219);
    }
    harness.processWatermark(new Watermark(T0 + 7 * MINUTE));
    assertThat(drain(ZoneMonitor.ALERTS))
        .extracting(Alert::state, Alert::message)
        .containsExactly(
            tuple(
                "resolved",
                "【已恢复】停电：供电分区 "
                    + P
                    + " 有 3 个电表失电 / Power outage: 3 meters without power in feeder zone "
                    + P
                    + " — resolved"));

    // Every meter silent from 08:06: all dark at 08:09 is a new outage (new id) while the zone
    // still knows its meters; after an hour they are forgotten, the outage ends with them, the zone
    // is freed.
    harness.processWatermark(new Watermark(T0 + 3 * 60 * MINUTE));
    assertThat(drain(ZoneMonitor.ALERTS))
        .extracting(Alert::alertId, Alert::state)
        .containsExactly(
            tuple("power_outage-" + (T0 + 9 * MINUTE) + "-" + P, "raised"),
            tuple("power_outage-" + (T0 + 9 * MINUTE) + "-" + P, "resolved"));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void methaneAboveTheLimitIsACriticalAlertAtOnceWithHysteresis() throws Exception {
    read("gs-1", "gas", G, T0, Double.NaN, 2.2, 40);
    read("gs-1", "gas", G, T0 + MINUTE, Double.NaN, 2.2, 6_000);
    List<Alert> leak = drain(ZoneMonitor.ALERTS);
    assertThat(leak)
        .extracting(Alert::kind, Alert::severity, Alert::state, Alert::message)
        .containsExactly(
            tuple(
                "gas_leak",
                "critical",
                "raised",
                "燃气泄漏：燃气分区 "
                    + G
                    + " 甲烷浓度 6000 ppm / Gas leak: methane at 6000 ppm in gas zone "
                    + G));
    read("gs-1", "gas", G, T0 + 2 * MINUTE, Double.NaN, 2.2, 4_000);
    assertThat(drain(ZoneMonitor.ALERTS)).as("above half the limit: still a leak").isEmpty();
    read("gs-1", "gas", G, T0 + 3 * MINUTE, Double.NaN, 0.5, 100);
    assertThat(drain(ZoneMonitor.ALERTS))
        .extracting(Alert::kind, Alert::severity, Alert::state)
        .containsExactly(
            tuple("gas_leak", "critical", "resolved"), tuple("gas_pressure", "warning", "raised"));
    harness.processWatermark(new Watermark(T0 + 5 * MINUTE));
    assertThat(rows())
        .extracting(UtilityZone::windowEnd, UtilityZone::consumption, UtilityZone::pressureKpaMin)
        .containsExactly(
            tuple(T0 + MINUTE, null, 2.2),
            tuple(T0 + 2 * MINUTE, null, 2.2),
            tuple(T0 + 3 * MINUTE, null, 2.2),
            tuple(T0 + 4 * MINUTE, null, 0.5));

    // The sensor falls silent with its pressure still out of band: once it is forgotten the warning
    // is resolved (nothing is left to say it lasts) and the zone's state and timers are freed.
    harness.processWatermark(new Watermark(T0 + 3 * 60 * MINUTE));
    assertThat(drain(ZoneMonitor.ALERTS))
        .extracting(Alert::kind, Alert::state)
        .containsExactly(tuple("gas_pressure", "resolved"));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aReadingWithinTheLatenessRewritesItsRowAndALaterOneIsADeadLetter() throws Exception {
    water("wm-1", T0 + 10_000, 6, 400);
    harness.processWatermark(new Watermark(T0 + 2 * MINUTE));
    assertThat(rows()).extracting(UtilityZone::metersReporting).containsExactly(1L);
    water("wm-2", T0 + 20_000, 6, 350);
    assertThat(rows())
        .extracting(
            UtilityZone::windowEnd, UtilityZone::metersReporting, UtilityZone::pressureKpaMin)
        .containsExactly(tuple(T0 + MINUTE, 2L, 350.0));
    harness.processWatermark(new Watermark(T0 + 3 * MINUTE));
    rows();
    water("wm-3", T0 + 30_000, 6, 300);
    List<DeadLetter> late = drain(DeadLetters.TAG);
    assertThat(late)
        .extracting(DeadLetter::reason, DeadLetter::key)
        .containsExactly(tuple("late", "wm-3"));
    assertThat(rows()).isEmpty();
  }
}
