package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UtilityRulesTest {

  private static final long MINUTE = 60_000L;
  private static final long NOW = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  private static final UtilitySettings S = UtilitySettings.defaults();

  private static MeterState meter(String id, long lastTs, double level) {
    MeterState m = new MeterState(id, 30.25, 120.14);
    m.lastTs = lastTs;
    m.level = level;
    return m;
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(UtilityRules.median(new double[] {3, 1, 2}, 3)).isEqualTo(2);
    assertThat(UtilityRules.median(new double[] {4, 1, 3, 2, 99}, 4)).isEqualTo(2.5);
    assertThat(UtilityRules.median(new double[0], 0)).isNaN();
  }

  @Test
  void medianLevelUsesOnlySensorsHeardInTheLastTwoIntervals() {
    List<MeterState> ms =
        List.of(
            meter("a", NOW - MINUTE, 400),
            meter("b", NOW - 2 * MINUTE, 380),
            meter("c", NOW - 2 * MINUTE - 1, 100));
    assertThat(UtilityRules.medianLevel(ms, NOW, S)).isEqualTo(390);
  }

  @Test
  void aSensorIsLowAtTwentyPercentBelowTheBaselineWithinTheBurstWindow() {
    // Baseline 400 kPa: 320 is exactly 20% below (low), 321 is not; a low reading 5 min 1 ms old is
    // stale.
    List<MeterState> ms =
        List.of(
            meter("b", NOW, 320),
            meter("a", NOW - 5 * MINUTE, 250),
            meter("c", NOW, 321),
            meter("d", NOW - 5 * MINUTE - 1, 200));
    assertThat(UtilityRules.lowPressure(ms, 400, NOW, S))
        .extracting(m -> m.id)
        .containsExactly("a", "b");
    assertThat(UtilityRules.lowPressure(ms, Double.NaN, NOW, S)).isEmpty();
  }

  @Test
  void threeMetersBelowHalfTheNominalVoltageAreAnOutage() {
    List<MeterState> ms = new ArrayList<>();
    ms.add(meter("p1", NOW, 109.9));
    ms.add(meter("p2", NOW, 0));
    ms.add(meter("p3", NOW - MINUTE, 50));
    ms.add(meter("p4", NOW, 110)); // exactly half: not below
    for (int i = 0; i < 6; i++) {
      ms.add(meter("q" + i, NOW, 221));
    }
    UtilityRules.PowerStatus p = UtilityRules.power(ms, NOW, S);
    assertThat(p.low()).extracting(m -> m.id).containsExactly("p1", "p2", "p3");
    assertThat(p.dark()).isEmpty();
    assertThat(p.outage()).isTrue();
    assertThat(UtilityRules.power(ms.subList(1, 10), NOW, S).outage()).isFalse();
  }

  @Test
  void aThirdOfTheMetersDarkIsAnOutageButNeverFewerThanThree() {
    List<MeterState> nine = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      nine.add(meter("m" + i, i < 3 ? NOW - 2 * MINUTE - 1 : NOW, 220));
    }
    UtilityRules.PowerStatus p = UtilityRules.power(nine, NOW, S);
    assertThat(p.dark()).hasSize(3);
    assertThat(p.outage()).as("3 of 9").isTrue();
    List<MeterState> ten = new ArrayList<>(nine);
    ten.add(meter("m9", NOW, 220));
    assertThat(UtilityRules.power(ten, NOW, S).outage()).as("3 of 10").isFalse();
    List<MeterState> four = List.of(nine.get(0), nine.get(1), nine.get(5), nine.get(6));
    assertThat(UtilityRules.power(four, NOW, S).outage())
        .as("2 of 4: half, but only two meters")
        .isFalse();
  }

  @Test
  void methaneAndGasPressureAgainstTheirThresholds() {
    MeterState a = meter("a", NOW, 2.0);
    a.ppm = 5_000;
    MeterState b = meter("b", NOW, 0.9);
    b.ppm = 4_999;
    MeterState c = meter("c", NOW, 5.1);
    c.ppm = 10;
    assertThat(UtilityRules.methaneAtLeast(List.of(a, b, c), 5_000))
        .extracting(m -> m.id)
        .containsExactly("a");
    assertThat(UtilityRules.pressureOutOfBand(List.of(a, b, c), S))
        .extracting(m -> m.id)
        .containsExactly("b", "c");
  }

  @Test
  void theNightIsTwoToFourInTheCitysTimeZone() {
    java.time.ZoneId shanghai = java.time.ZoneId.of("Asia/Shanghai");
    long twoLocal =
        Instant.parse("2026-01-05T18:00:00Z").toEpochMilli(); // 02:00 on the 6th in Shanghai
    assertThat(UtilityRules.nightWindow(twoLocal, MINUTE, shanghai)).isFalse();
    assertThat(UtilityRules.nightWindow(twoLocal + MINUTE, MINUTE, shanghai)).isTrue();
    assertThat(UtilityRules.nightWindow(twoLocal + 120 * MINUTE, MINUTE, shanghai)).isTrue();
    assertThat(UtilityRules.nightWindow(twoLocal + 121 * MINUTE, MINUTE, shanghai)).isFalse();
    assertThat(UtilityRules.nightEnd(twoLocal + 30 * MINUTE, shanghai))
        .isEqualTo(twoLocal + 120 * MINUTE);

    java.time.ZoneId oakland = java.time.ZoneId.of("America/Los_Angeles");
    long twoInOakland = Instant.parse("2026-01-06T10:00:00Z").toEpochMilli(); // 02:00 PST
    assertThat(UtilityRules.nightWindow(twoLocal + MINUTE, MINUTE, oakland)).isFalse();
    assertThat(UtilityRules.nightWindow(twoInOakland + MINUTE, MINUTE, oakland)).isTrue();
    assertThat(UtilityRules.nightEnd(twoInOakland + 30 * MINUTE, oakland))
        .isEqualTo(twoInOakland + 120 * MINUTE);
  }
}
