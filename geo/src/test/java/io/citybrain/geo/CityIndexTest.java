package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Point;

class CityIndexTest {

  private static final CityModel CITY = CityModel.hangzhou();
  private static final CityIndex INDEX = CITY.index();

  @Test
  void aPointByWestLakeIsInXihuAndInAZoneOfEveryUtility() {
    Areas areas = INDEX.locate(120.1445, 30.2445);
    assertThat(areas.isOutside()).isFalse();
    assertThat(areas.districtCode()).isEqualTo("330106");
    for (Utility u : Utility.values()) {
      assertThat(areas.zone(u))
          .as(u.wireName())
          .isPresent()
          .get()
          .extracting(UtilityZone::districtCode)
          .isEqualTo("330106");
    }
  }

  @Test
  void aPointOutsideTheCityIsOutsideWithItsDeadLetterReason() {
    assertThat(INDEX.locate(116.397, 39.909)).isSameAs(Areas.OUTSIDE);
    assertThat(INDEX.locate(0, 0).isOutside()).isTrue();
    assertThat(INDEX.locate(Double.NaN, Double.NaN).isOutside()).isTrue();
    assertThat(Areas.OUTSIDE.districtCode()).isNull();
    assertThat(Areas.OUTSIDE_REASON).isEqualTo("outside-city");
  }

  @Test
  void everyDistrictsPublishedCentreLiesInThatDistrict() {
    // All 13 published centres of the bundled data lie inside their own polygon, so no interior
    // point is substituted here.
    for (District d : CITY.districts()) {
      assertThat(INDEX.locate(d.centerLon(), d.centerLat()).districtCode())
          .as(d.code())
          .isEqualTo(d.code());
    }
  }

  @Test
  void everyCommunityIsFoundAtItsInteriorPointWithItsDistrict() {
    for (Community c : CITY.communities()) {
      Point p = c.boundary().getInteriorPoint();
      Areas areas = INDEX.locate(p.getX(), p.getY());
      assertThat(areas.communityId()).isEqualTo(c.id());
      assertThat(areas.districtCode()).as(c.id()).isEqualTo(c.districtCode());
      assertThat(INDEX.community(c.id())).contains(c);
    }
  }

  @Test
  void aCommunityCornerIsInTheCommunityAndTheStreetOutsideIsNot() {
    Community c = CITY.communities().get(0);
    Coordinate corner = c.boundary().getCoordinates()[0];
    assertThat(INDEX.locate(corner.x, corner.y).communityId()).isEqualTo(c.id());
    Coordinate centre = c.boundary().getCentroid().getCoordinate();
    // Beyond the corner, away from the centre: the street between blocks.
    double x = corner.x + (corner.x - centre.x) * 0.05;
    double y = corner.y + (corner.y - centre.y) * 0.05;
    assertThat(INDEX.locate(x, y).communityId()).isNull();
  }

  @Test
  void buildingAtAgreesWithALoopOverTheBuildings() {
    for (Building b : CITY.buildings().subList(0, 200)) {
      Point p = b.footprint().getInteriorPoint();
      assertThat(INDEX.buildingAt(p.getX(), p.getY())).contains(b);
    }
    SplittableRandom random = new SplittableRandom(11);
    Building first = CITY.buildings().get(0);
    var env = first.footprint().getEnvelopeInternal();
    for (int i = 0; i < 2_000; i++) {
      double x = env.getMinX() - 0.001 + random.nextDouble() * (env.getWidth() + 0.002);
      double y = env.getMinY() - 0.001 + random.nextDouble() * (env.getHeight() + 0.002);
      Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(x, y));
      Building expected =
          CITY.buildings().stream().filter(b -> b.footprint().covers(p)).findFirst().orElse(null);
      assertThat(INDEX.buildingAt(x, y).orElse(null)).isEqualTo(expected);
    }
  }

  @Test
  void nearestFacilityIsTheClosestOfItsKindInMetres() {
    Facility station =
        CITY.facilities().stream()
            .filter(f -> f.kind() == FacilityKind.FIRE_STATION)
            .findFirst()
            .orElseThrow();
    FacilityDistance at =
        INDEX
            .nearestFacility(FacilityKind.FIRE_STATION, station.lon(), station.lat())
            .orElseThrow();
    assertThat(at.facility()).isEqualTo(station);
    assertThat(at.distanceM()).isZero();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      double lon = 119.5 + random.nextDouble();
      double lat = 29.8 + random.nextDouble() * 0.6;
      for (FacilityKind kind : FacilityKind.values()) {
        if (CITY.facilities().stream().noneMatch(f -> f.kind() == kind)) {
          assertThat(INDEX.nearestFacility(kind, lon, lat))
              .as("no " + kind + " in the generated city")
              .isEmpty();
          continue;
        }
        double best =
            CITY.facilities().stream()
                .filter(f -> f.kind() == kind)
                .mapToDouble(f -> Metric.distanceM(lon, lat, f.lon(), f.lat()))
                .min()
                .orElseThrow();
        FacilityDistance nearest = INDEX.nearestFacility(kind, lon, lat).orElseThrow();
        assertThat(nearest.distanceM()).isEqualTo(best);
        assertThat(nearest.facility().kind()).isEqualTo(kind);
      }
    }
  }

  @Test
  void everyRoadIsMatchedAtItsMidpointAlongItsBearing() {
    for (RoadSegment r : CITY.roads()) {
      Coordinate a = r.geometry().getCoordinateN(0);
      Coordinate b = r.geometry().getCoordinateN(1);
      double heading = Metric.bearingDeg(a.x, a.y, b.x, b.y);
      RoadMatch m = INDEX.matchRoad((a.x + b.x) / 2, (a.y + b.y) / 2, heading).orElseThrow();
      assertThat(m.distanceM()).isLessThan(0.01);
      assertThat(INDEX.road(r.id())).contains(r);
    }
  }
}
