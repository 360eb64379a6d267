package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import org.junit.jupiter.api.Test;

class UtilityIncidentsTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final ZonePlace ZONE = new ZonePlace("p-330106-5801-1867", "330106");

  private static Finding outage(boolean holds, int count) {
    Evidence[] e = new Evidence[count];
    for (int i = 0; i < count; i++) {
      e[i] = new Evidence("pm-" + i, "voltageV", 0, T0);
    }
    return new Finding(
        UtilityIncidents.POWER_OUTAGE,
        Alert.SEVERITY_CRITICAL,
        holds,
        !holds,
        e,
        count,
        0,
        30.25,
        120.14);
  }

  @Test
  void oneIncidentIsRaisedUpdatedWhenItGrowsQuietWhenItDoesNotAndResolvedWithTheSameId() {
    UtilityIncidents.Step raised = UtilityIncidents.next(null, outage(true, 3), ZONE, T0);
    assertThat(raised.alert().alertId()).isEqualTo("power_outage-" + T0 + "-p-330106-5801-1867");
    assertThat(raised.alert().state()).isEqualTo("raised");
    assertThat(raised.alert().message())
        .isEqualTo(
            "停电：供电分区 p-330106-5801-1867 有 3 个电表失电 / Power outage: 3 meters "
                + "without power in feeder zone p-330106-5801-1867");

    UtilityIncidents.Step same =
        UtilityIncidents.next(raised.next(), outage(true, 3), ZONE, T0 + 60_000);
    assertThat(same.alert()).isNull();
    assertThat(same.next()).isSameAs(raised.next());

    UtilityIncidents.Step grown =
        UtilityIncidents.next(same.next(), outage(true, 5), ZONE, T0 + 120_000);
    assertThat(grown.alert().alertId()).isEqualTo(raised.alert().alertId());
    assertThat(grown.alert().evidence()).hasSize(5);

    UtilityIncidents.Step smaller =
        UtilityIncidents.next(grown.next(), outage(true, 4), ZONE, T0 + 180_000);
    assertThat(smaller.alert()).isNull();

    UtilityIncidents.Step over =
        UtilityIncidents.next(smaller.next(), outage(false, 0), ZONE, T0 + 240_000);
    assertThat(over.next()).isNull();
    assertThat(over.alert().state()).isEqualTo("resolved");
    assertThat(over.alert().alertId()).isEqualTo(raised.alert().alertId());
    assertThat(over.alert().message())
        .startsWith("【已恢复】停电：供电分区 p-330106-5801-1867 有 5 个电表失电")
        .endsWith(" — resolved");
    assertThat(over.alert().scope()).isEqualTo("district");
  }

  @Test
  void nothingHoldingAndNothingOpenIsNothing() {
    UtilityIncidents.Step s = UtilityIncidents.next(null, outage(false, 0), ZONE, T0);
    assertThat(s.next()).isNull();
    assertThat(s.alert()).isNull();
  }
}
