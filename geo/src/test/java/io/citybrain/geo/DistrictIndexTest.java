package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DistrictIndexTest {

  private static final DistrictIndex HANGZHOU = DistrictIndex.hangzhou();

  private static List<District> read(String geojson) {
    return Districts.read(
        new ByteArrayInputStream(geojson.getBytes(StandardCharsets.UTF_8)), "test.geojson");
  }

  private static String square(String code, double x0, double y0, double x1, double y1) {
    return "{\"type\":\"Feature\",\"properties\":{\"code\":\""
        + code
        + "\",\"name\":\"n"
        + code
        + "\"},"
        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[["
        + x0
        + ","
        + y0
        + "],["
        + x1
        + ","
        + y0
        + "],["
        + x1
        + ","
        + y1
        + "],["
        + x0
        + ","
        + y1
        + "],["
        + x0
        + ","
        + y0
        + "]]]}}";
  }

  private static String collection(String... features) {
    return "{\"type\":\"FeatureCollection\",\"features\":[" + String.join(",", features) + "]}";
  }

  @Test
  void loadsAllThirteenHangzhouDistricts() {
    assertThat(HANGZHOU.districts()).hasSize(13);
    assertThat(HANGZHOU.districts())
        .extracting(District::code)
        .contains("330102", "330106", "330185");
  }

  @Test
  void westLakeIsInXihu() {
    // The lake's centre, well inside the district.
    assertThat(HANGZHOU.locate(120.1445, 30.2445)).map(District::code).contains("330106");
  }

  @Test
  void pointsFarAwayAreOutsideTheCity() {
    assertThat(HANGZHOU.locate(116.397, 39.909)).isEmpty(); // Beijing
    assertThat(HANGZHOU.locate(0, 0)).isEmpty();
  }

  @Test
  void aPointOnTheBoundaryBelongsToTheDistrict() {
    DistrictIndex index = new DistrictIndex(read(collection(square("100001", 0, 0, 1, 1))));
    assertThat(index.locate(1.0, 0.5)).map(District::code).contains("100001");
    assertThat(index.locate(1.0000001, 0.5)).isEmpty();
  }

  @Test
  void aSharedEdgeGoesToTheFirstDistrictLoaded() {
    DistrictIndex index =
        new DistrictIndex(
            read(collection(square("100001", 0, 0, 1, 1), square("100002", 1, 0, 2, 1))));
    assertThat(index.locate(1.0, 0.5)).map(District::code).contains("100001");
    assertThat(index.locate(1.5, 0.5)).map(District::code).contains("100002");
  }

  @Test
  void randomPointsInADistrictAreLocatedInIt() {
    Random random = new Random(7);
    for (District d : HANGZHOU.districts()) {
      for (int i = 0; i < 20; i++) {
        double[] p = DistrictIndex.randomPointIn(d, random);
        assertThat(HANGZHOU.locate(p[0], p[1]))
            .as("point in " + d.code())
            .map(District::code)
            .contains(d.code());
      }
    }
  }

  @Test
  void refusesADistrictCodeOutsideTheCodeCharacterSet() {
    assertThatThrownBy(() -> read(collection(square("12 <b>", 0, 0, 1, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("district '12 <b>'")
        .hasMessageContaining("district code must be");
  }

  @Test
  void refusesCoordinatesOutsideLonLatRange() {
    assertThatThrownBy(() -> read(collection(square("100001", 170, 0, 190, 1))))
        .hasMessageContaining("district '100001'")
        .hasMessageContaining("outside lon/lat range");
  }

  @Test
  void refusesABowTieThatCannotBeRepairedSafely() {
    String bowTie =
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"100003\"},\"geometry\":{\"type\":\"Polygon\","
            + "\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}";
    assertThatThrownBy(() -> read(collection(bowTie)))
        .hasMessageContaining("district '100003'")
        .hasMessageContaining("Self-intersection");
  }

  @Test
  void refusesAFileThatIsNotAFeatureCollection() {
    assertThatThrownBy(() -> read("{\"type\":\"Point\",\"coordinates\":[0,0]}"))
        .hasMessageContaining("not a GeoJSON FeatureCollection");
  }
}
