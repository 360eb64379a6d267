package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GridZoneLocatorTest {

  @Test
  void metersOfOneCellShareAZonePerUtilityAndOutsideTheCityThereIsNone() {
    GridZoneLocator zones = new GridZoneLocator();
    zones.open();
    double[] c = GridZoneLocator.cellCentre(120.1445, 30.2445);
    ZonePlace water = zones.locate(c[0], c[1], "water").orElseThrow();
    assertThat(water.district()).isEqualTo("330106");
    assertThat(water.zone()).matches("w-330106-\\d+-\\d+");
    assertThat(zones.locate(c[0] + 0.003, c[1] - 0.003, "water")).contains(water);
    assertThat(zones.locate(c[0], c[1], "power").orElseThrow().zone()).isEqualTo("p" + water.zone().substring(1));
    assertThat(zones.locate(c[0] + 0.03, c[1], "water").orElseThrow().zone()).isNotEqualTo(water.zone());
    assertThat(zones.locate(0, 0, "water")).isEmpty();
    assertThat(zones.locate(c[0], c[1], "steam")).isEmpty();
  }
}
