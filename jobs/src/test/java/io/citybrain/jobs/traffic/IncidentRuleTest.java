package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Alert;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IncidentRuleTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final long MINUTE = 60_000L;
  private static final IncidentRule RULE = IncidentRule.defaults();

  private static SegmentTraffic window(int minute, double speed, long samples) {
    return new SegmentTraffic(
        "r-9",
        "330106",
        "arterial",
        60,
        500,
        120.14,
        30.25,
        T0 + minute * MINUTE,
        speed,
        null,
        null,
        TrafficIndicators.tti(60, speed),
        samples,
        samples);
  }

  private static List<Alert> run(SegmentHistory h, double... speeds) {
    List<Alert> out = new ArrayList<>();
    for (int i = 0; i < speeds.length; i++) {
      RULE.apply(h, window(i, speeds[i], 10)).ifPresent(out::add);
    }
    return out;
  }

  @Test
  void aCollapseBelow40PercentOfTheTrailingMedianRaisesOneAlertUntilRecovery() {
    SegmentHistory h = new SegmentHistory();
    // Ten minutes around 50 km/h, then 15 (< 0.4 × 50 = 20) for six minutes, 25 (< 0.6 × 50), then
    // 31 (≥ 0.6 × 50).
    List<Alert> alerts = run(h, 50, 52, 48, 50, 51, 49, 50, 50, 52, 48, 15, 12, 14, 10, 13, 25, 31);
    assertThat(alerts).extracting(Alert::state).containsExactly("raised", "raised", "resolved");
    assertThat(alerts)
        .extracting(Alert::alertId)
        .containsOnly("traffic_incident-" + (T0 + 10 * MINUTE) + "-r-9");
    Alert raised = alerts.get(0);
    assertThat(raised.kind()).isEqualTo("traffic_incident");
    assertThat(raised.evidence())
        .extracting(e -> e.reading(), e -> e.value())
        .contains(
            org.assertj.core.groups.Tuple.tuple("speedKmh", 15.0),
            org.assertj.core.groups.Tuple.tuple("baselineKmh", 50.0));
    assertThat(h.alertId).isNull();
  }

  @Test
  void aSpeedHoveringAtTheThresholdDoesNotFlap() {
    SegmentHistory h = new SegmentHistory();
    List<Alert> alerts = run(h, 50, 50, 50, 50, 50, 50, 19, 21, 19, 25, 19, 28, 19);
    // Raised once, then the same alert updated after five windows: never resolved and raised again.
    assertThat(alerts).extracting(Alert::state).containsExactly("raised", "raised");
    assertThat(alerts).extracting(Alert::alertId).containsOnly(alerts.get(0).alertId());
  }

  @Test
  void withoutEnoughHistoryOrVehiclesNothingIsRaised() {
    assertThat(run(new SegmentHistory(), 50, 50, 10)).isEmpty();
    SegmentHistory h = new SegmentHistory();
    run(h, 50, 50, 50, 50, 50, 50);
    assertThat(RULE.apply(h, window(6, 10, 2))).isEmpty();
  }

  @Test
  void aLateUpdateOfTheLatestWindowReplacesItAndOlderOnesAreIgnored() {
    SegmentHistory h = new SegmentHistory();
    run(h, 50, 50, 50);
    assertThat(RULE.apply(h, window(2, 40, 10))).isEmpty();
    assertThat(h.speeds).containsExactly(50, 50, 40);
    assertThat(RULE.apply(h, window(0, 5, 10))).isEqualTo(Optional.empty());
    assertThat(h.speeds).containsExactly(50, 50, 40);
  }

  @Test
  void historyKeepsOnlyTheTrailingQuarterHour() {
    SegmentHistory h = new SegmentHistory();
    run(h, new double[30]);
    assertThat(h.windowEnds).hasSizeLessThanOrEqualTo(16);
  }
}
