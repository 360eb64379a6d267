package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reason;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.UtilityZone;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Point;

/**
 * The utility job's zones are the city model's: every zone of the model answers for its own
 * interior.
 */
class GeoZoneLocatorTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final CityModel CITY = CityModel.generate(CityModel.DEFAULT_SEED);
  private static final GeoZoneLocator ZONES = new GeoZoneLocator(CityModel.DEFAULT_SEED);

  @BeforeAll
  static void open() {
    ZONES.open();
  }

  @Test
  void everyZoneOfTheModelLocatesAPointInsideItToItselfAndItsDistrict() {
    assertThat(CITY.zones())
        .extracting(z -> z.utility().wireName())
        .contains("water", "power", "gas");
    for (UtilityZone z : CITY.zones()) {
      Point inside = z.boundary().getInteriorPoint();
      assertThat(ZONES.locate(inside.getX(), inside.getY(), z.utility().wireName()))
          .as("interior point of %s", z.id())
          .contains(new ZonePlace(z.id(), z.districtCode()));
    }
  }

  @Test
  void eachUtilityHasItsOwnZoneAtTheSamePlace() {
    UtilityZone water =
        CITY.zones().stream().filter(z -> z.id().startsWith("w-330106-")).findFirst().orElseThrow();
    Point p = water.boundary().getInteriorPoint();
    assertThat(ZONES.locate(p.getX(), p.getY(), "power").orElseThrow().zone())
        .startsWith("p-330106-");
    assertThat(ZONES.locate(p.getX(), p.getY(), "gas").orElseThrow().zone())
        .startsWith("g-330106-");
  }

  @Test
  void outsideTheCityOrAnUnknownUtilityThereIsNoZone() {
    assertThat(ZONES.locate(0, 0, "water")).isEmpty();
    // Shanghai's People's Square: a real place, but not in Hangzhou.
    assertThat(ZONES.locate(121.4737, 31.2304, "power")).isEmpty();
    Point p = CITY.zones().get(0).boundary().getInteriorPoint();
    assertThat(ZONES.locate(p.getX(), p.getY(), "steam")).isEmpty();
  }

  @Test
  void aMeterOutsideTheCityIsRefusedAsOutsideCity() {
    Envelope e =
        new Envelope(
            "wm-far",
            "utility",
            "water",
            T0,
            31.2304,
            121.4737,
            Map.of("flowM3h", 1.0, "pressureKPa", 400.0),
            T0,
            "mqtt");
    KafkaEvent record = new KafkaEvent("city.raw.utility", "wm-far", EnvelopeCodec.encode(e), T0);
    assertThatThrownBy(() -> UtilityReadings.toReading(record, ZONES))
        .isInstanceOf(Rejected.class)
        .hasMessage("wm-far at 31.2304,121.4737 is in no water zone of the city")
        .satisfies(r -> assertThat(((Rejected) r).reason()).isEqualTo(Reason.OUTSIDE_CITY));
  }

  @Test
  void aMeterInsideAZoneIsReadIntoThatZone() throws Exception {
    UtilityZone gas =
        CITY.zones().stream().filter(z -> z.id().startsWith("g-")).findFirst().orElseThrow();
    Point p = gas.boundary().getInteriorPoint();
    Envelope e =
        new Envelope(
            "gs-1",
            "utility",
            "gas",
            T0,
            p.getY(),
            p.getX(),
            Map.of("pressureKPa", 2.2, "ppm", 20.0),
            T0,
            "mqtt");
    UtilityReading r =
        UtilityReadings.toReading(
            new KafkaEvent("city.raw.utility", "gs-1", EnvelopeCodec.encode(e), T0), ZONES);
    assertThat(r.zone()).isEqualTo(gas.id());
    assertThat(r.district()).isEqualTo(gas.districtCode());
    assertThat(r.level()).isEqualTo(2.2);
    assertThat(r.ppm()).isEqualTo(20.0);
    assertThat(r.rate()).isNaN();
  }
}
