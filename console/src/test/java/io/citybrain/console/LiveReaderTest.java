package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveReaderTest {

  private static final long T0 = 1_767_600_000_000L;

  private static Alert alert(String id, String severity, String state, long ts) {
    return new Alert(
        id,
        "sos",
        severity,
        state,
        "330106",
        "c-1",
        30.26,
        120.12,
        ts,
        "SOS 紧急求助",
        new Evidence[0],
        "community",
        null);
  }

  @Test
  void figuresBeforeAnyDataAreEmptyNotZeroTti() {
    LiveSnapshot.Figures f = LiveReader.figures(List.of(), List.of(), List.of(), List.of());
    assertThat(f.meanTti()).isNull();
    assertThat(f.metersReporting()).as("no utility row yet: unknown, not zero").isNull();
    assertThat(f.communitiesAlerting()).isZero();
    assertThat(f.districtsReporting()).isZero();
    assertThat(f.lastWindow()).isNull();
    assertThat(f.lagMs()).isNull();
  }

  @Test
  void figuresCountCongestedDistrictsOpenAlertsAndPipelineTotals() {
    List<Map<String, Object>> districts =
        List.of(
            Map.of(
                "district",
                "330102",
                "tti",
                1.2,
                "level",
                0,
                "timestamp",
                "2026-01-05T08:01:00.000000Z"),
            Map.of(
                "district",
                "330106",
                "tti",
                2.4,
                "level",
                3,
                "timestamp",
                "2026-01-05T08:02:00.000000Z"),
            Map.of(
                "district",
                "330105",
                "tti",
                1.9,
                "level",
                2,
                "timestamp",
                "2026-01-05T08:00:00.000000Z"),
            // NaN TTI, stored as null: its level says "severe" but means nothing.
            new java.util.HashMap<>(
                Map.of(
                    "district", "330108", "level", 3, "timestamp", "2026-01-05T08:00:00.000000Z")));
    List<Alert> alerts =
        List.of(
            alert("a", "critical", "raised", T0),
            alert("b", "critical", "escalated", T0),
            alert("c", "warning", "raised", T0),
            alert("d", "critical", "acknowledged", T0),
            alert("e", "critical", "resolved", T0));
    List<Map<String, Object>> pipeline =
        List.of(
            Map.of(
                "stage",
                "bridge",
                "events_in",
                1000,
                "events_out",
                990,
                "deadletter",
                10,
                "lag_ms",
                12.5),
            Map.of(
                "stage",
                "traffic",
                "events_in",
                900,
                "events_out",
                60,
                "deadletter",
                3,
                "lag_ms",
                40.0));

    List<Map<String, Object>> utility =
        List.of(
            Map.of("zone", "w-1", "meters_reporting", 40, "meters_dark", 2),
            Map.of("zone", "p-1", "meters_reporting", 25, "meters_dark", 0));

    LiveSnapshot.Figures f = LiveReader.figures(districts, alerts, pipeline, utility);

    assertThat(f.meanTti()).isCloseTo((1.2 + 2.4 + 1.9) / 3, within(1e-12));
    assertThat(f.districtsReporting()).isEqualTo(4);
    assertThat(f.congestedDistricts()).as("only districts with a TTI").isEqualTo(2);
    assertThat(f.lastWindow()).isEqualTo("2026-01-05T08:02:00.000000Z");
    assertThat(f.openAlerts()).isEqualTo(3);
    assertThat(f.criticalOpen()).isEqualTo(2);
    assertThat(f.eventsIn())
        .as("what the bridge took in; the job's intake is the same events")
        .isEqualTo(1000);
    assertThat(f.deadletter()).as("every stage's refusals").isEqualTo(13);
    assertThat(f.lagMs()).as("the worst stage").isEqualTo(40.0);
    assertThat(f.metersReporting()).isEqualTo(65);
    assertThat(f.metersDark()).isEqualTo(2);
    assertThat(f.communitiesAlerting()).as("a, b and c are open, all in c-1").isEqualTo(1);
  }
}
