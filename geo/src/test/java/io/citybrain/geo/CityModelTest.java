package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;

class CityModelTest {

  private static final CityModel CITY = CityModel.generate(CityModel.DEFAULT_SEED);

  @Test
  void theSameSeedGivesTheSameCityByteForByte() {
    CityModel again = new CityGenerator(CityModel.DEFAULT_SEED, Districts.hangzhou()).generate();
    assertThat(again).isNotSameAs(CITY);
    Map<String, byte[]> a = CityGeoJson.export(CITY);
    Map<String, byte[]> b = CityGeoJson.export(again);
    assertThat(a.keySet()).containsExactlyElementsOf(CityGeoJson.FILES);
    for (String file : CityGeoJson.FILES) {
      assertThat(Arrays.equals(a.get(file), b.get(file))).as(file).isTrue();
    }
  }

  @Test
  void anotherSeedGivesAnotherCity() {
    CityModel other = CityModel.generate(7);
    assertThat(other.seed()).isEqualTo(7);
    assertThat(CityGeoJson.export(other).get("roads.geojson"))
        .isNotEqualTo(CityGeoJson.export(CITY).get("roads.geojson"));
    assertThat(other.districts()).hasSize(13);
  }

  @Test
  void generatesEachSeedOnce() {
    assertThat(CityModel.generate(CityModel.DEFAULT_SEED))
        .isSameAs(CITY)
        .isSameAs(CityModel.hangzhou());
  }

  @Test
  void urbanDistrictsHaveSeveralHundredCommunitiesAndTheOthersFewer() {
    Map<String, Long> perDistrict =
        CITY.communities().stream()
            .collect(Collectors.groupingBy(Community::districtCode, Collectors.counting()));
    long urban =
        CityGenerator.HANGZHOU_URBAN.stream().mapToLong(d -> perDistrict.getOrDefault(d, 0L)).sum();
    assertThat(urban).isBetween(300L, 1500L);
    for (String d : CityGenerator.HANGZHOU_URBAN) {
      assertThat(perDistrict.getOrDefault(d, 0L)).as(d).isGreaterThanOrEqualTo(20);
    }
    for (District d : CITY.districts()) {
      if (!CityGenerator.HANGZHOU_URBAN.contains(d.code())) {
        assertThat(perDistrict.getOrDefault(d.code(), 0L)).as(d.code()).isBetween(1L, 200L);
      }
    }
  }

  @Test
  void communitiesLieInsideTheirDistrictAndHaveWellFormedIds() {
    Map<String, org.locationtech.jts.geom.prep.PreparedGeometry> districts = new HashMap<>();
    CITY.districts()
        .forEach(
            d ->
                districts.put(
                    d.code(),
                    org.locationtech.jts.geom.prep.PreparedGeometryFactory.prepare(d.boundary())));
    for (Community c : CITY.communities()) {
      assertThat(c.id()).matches("c-" + c.districtCode() + "-\\d{4}");
      assertThat(districts.get(c.districtCode()).covers(c.boundary())).as(c.id()).isTrue();
      assertThat(c.boundary().isValid()).as(c.id()).isTrue();
    }
    assertThat(CITY.communities()).extracting(Community::id).doesNotHaveDuplicates();
    org.locationtech.jts.index.strtree.STRtree tree =
        new org.locationtech.jts.index.strtree.STRtree();
    CITY.communities().forEach(c -> tree.insert(c.boundary().getEnvelopeInternal(), c));
    for (Community c : CITY.communities()) {
      for (Object o : tree.query(c.boundary().getEnvelopeInternal())) {
        Community other = (Community) o;
        assertThat(other == c || !other.boundary().intersects(c.boundary()))
            .as(c.id() + " overlaps " + other.id())
            .isTrue();
      }
    }
  }

  @Test
  void theRoadNetworkIsConnected() {
    Map<Coordinate, Integer> junctions = new HashMap<>();
    int[] parent = new int[CITY.roads().size() * 2];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (RoadSegment r : CITY.roads()) {
      Coordinate[] cs = r.geometry().getCoordinates();
      int a = junctions.computeIfAbsent(cs[0], k -> junctions.size());
      int b = junctions.computeIfAbsent(cs[cs.length - 1], k -> junctions.size());
      parent[find(parent, a)] = find(parent, b);
    }
    long components = junctions.values().stream().map(j -> find(parent, j)).distinct().count();
    assertThat(components).isEqualTo(1);
  }

  private static int find(int[] parent, int k) {
    while (parent[k] != k) {
      k = parent[k];
    }
    return k;
  }

  @Test
  void roadsCarryClassSpeedAndMetricLength() {
    assertThat(CITY.roads()).extracting(RoadSegment::roadClass).contains(RoadClass.values());
    for (RoadSegment r : CITY.roads()) {
      assertThat(r.id()).matches("r-\\d{6}");
      assertThat(r.freeFlowKmh()).isEqualTo(r.roadClass().defaultFreeFlowKmh());
      assertThat(r.lengthM()).isBetween(10.0, 3_000.0);
      assertThat(r.oneway()).as(r.id()).isEqualTo(r.oneway() && r.roadClass() == RoadClass.LOCAL);
    }
    assertThat(CITY.roads()).extracting(RoadSegment::id).doesNotHaveDuplicates();
  }

  @Test
  void roadsAreDenserInTheCentre() {
    double centreKm = roadKmWithin(120.14, 120.19, 30.25, 30.29);
    double outerKm = roadKmWithin(120.24, 120.29, 30.33, 30.37);
    assertThat(centreKm).isGreaterThan(2 * outerKm);
  }

  private static double roadKmWithin(double x0, double x1, double y0, double y1) {
    return CITY.roads().stream()
            .filter(
                r -> {
                  Coordinate c = r.geometry().getCentroid().getCoordinate();
                  return c.x >= x0 && c.x <= x1 && c.y >= y0 && c.y <= y1;
                })
            .mapToDouble(RoadSegment::lengthM)
            .sum()
        / 1000;
  }

  @Test
  void buildingsLieInsideTheirCommunity() {
    Map<String, Community> communities = new HashMap<>();
    CITY.communities().forEach(c -> communities.put(c.id(), c));
    assertThat(CITY.buildings()).hasSizeGreaterThan(1000);
    for (Building b : CITY.buildings()) {
      assertThat(communities.get(b.communityId()).boundary().covers(b.footprint()))
          .as(b.id())
          .isTrue();
      assertThat(b.id()).startsWith("b-" + b.communityId().substring(2) + "-");
    }
  }

  @Test
  void utilityZonesOfEachUtilityCoverTheUrbanDistrictsWithoutOverlap() {
    for (Utility u : Utility.values()) {
      for (String code : CityGenerator.HANGZHOU_URBAN) {
        Geometry district =
            CITY.districts().stream()
                .filter(d -> d.code().equals(code))
                .findFirst()
                .orElseThrow()
                .boundary();
        List<Geometry> zones =
            CITY.zones().stream()
                .filter(z -> z.utility() == u && z.districtCode().equals(code))
                .map(UtilityZone::boundary)
                .toList();
        assertThat(zones).as(u + " " + code).hasSizeGreaterThan(1);
        double sum = zones.stream().mapToDouble(Geometry::getArea).sum();
        assertThat(sum / district.getArea())
            .as(u + " " + code)
            .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        // Clipping moves vertices by rounding, so "inside" is checked by area, not by covers.
        zones.forEach(
            z -> assertThat(z.difference(district).getArea()).isLessThan(1e-9 * z.getArea()));
      }
    }
    assertThat(CITY.zones())
        .extracting(UtilityZone::id)
        .doesNotHaveDuplicates()
        .allMatch(id -> id.matches("[wpg]-\\d{6}-\\d{2}"));
  }

  @Test
  void everyDistrictHasAFireStationAndAHospitalInside() {
    for (District d : CITY.districts()) {
      for (FacilityKind kind : List.of(FacilityKind.FIRE_STATION, FacilityKind.HOSPITAL)) {
        assertThat(CITY.facilities())
            .as(d.code() + " " + kind)
            .anyMatch(f -> f.kind() == kind && f.districtCode().equals(d.code()));
      }
    }
    for (Facility f : CITY.facilities()) {
      assertThat(CITY.index().district(f.lon(), f.lat()))
          .as(f.id())
          .map(District::code)
          .contains(f.districtCode());
    }
  }
}
