package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundariesTest {

  private static List<District> read(String coordinatesJson, String type) {
    String json =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"100009\"},"
            + "\"geometry\":{\"type\":\""
            + type
            + "\",\"coordinates\":"
            + coordinatesJson
            + "}}]}";
    return Districts.read(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "bad.geojson");
  }

  @Test
  void refusesAnUnclosedRingNamingTheFeature() {
    assertThatThrownBy(() -> read("[[[0,0],[1,0],[1,1],[0,1]]]", "Polygon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.geojson feature #0 '100009'")
        .hasMessageContaining("exterior ring is not closed");
  }

  @Test
  void refusesAnUnclosedHoleInAMultiPolygon() {
    assertThatThrownBy(
            () ->
                read(
                    "[[[[0,0],[3,0],[3,3],[0,3],[0,0]]],[[[5,5],[9,5],[9,9],[5,9],[5,5]],[[6,6],[7,6],[7,7],[6,7]]]]",
                    "MultiPolygon"))
        .hasMessageContaining("'100009'")
        .hasMessageContaining("polygon 2, hole 1 is not closed");
  }

  @Test
  void refusesARingWithTooFewPositions() {
    assertThatThrownBy(() -> read("[[[0,0],[1,0],[0,0]]]", "Polygon"))
        .hasMessageContaining("'100009'")
        .hasMessageContaining("exterior ring has 3 positions; a ring needs at least 4");
  }

  @Test
  void refusesAnEmptyBoundary() {
    assertThatThrownBy(() -> read("[]", "Polygon"))
        .hasMessageContaining("district '100009'")
        .hasMessageContaining("empty boundary");
  }

  @Test
  void refusesLatitudesBeyondThePoles() {
    assertThatThrownBy(() -> read("[[[0,89],[1,89],[1,91],[0,91],[0,89]]]", "Polygon"))
        .hasMessageContaining("district '100009'")
        .hasMessageContaining("outside lon/lat range: 1.0,91.0");
  }

  @Test
  void refusesAPointWhereAnAreaIsExpected() {
    assertThatThrownBy(() -> read("[120,30]", "Point"))
        .hasMessageContaining("district '100009'")
        .hasMessageContaining("must be a Polygon or MultiPolygon, not a Point");
  }

  @Test
  void repairsATinySelfIntersectionAndKeepsTheArea() {
    // A bow tie of 1e-8 square degrees on the west edge of a unit square: safe to repair.
    List<District> d =
        read(
            "[[[0,0],[1,0],[1,1],[0,1],[0,0.5001],[0.0001,0.5],[0.0001,0.5001],[0,0.5],[0,0]]]",
            "Polygon");
    assertThat(d.get(0).boundary().isValid()).isTrue();
    assertThat(d.get(0).boundary().getArea())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void refusesAZoneWithALargeSelfIntersection() {
    var bowTie =
        GeoJsonFeatures.WGS84.createPolygon(
            new org.locationtech.jts.geom.Coordinate[] {
              new org.locationtech.jts.geom.Coordinate(0, 0),
                  new org.locationtech.jts.geom.Coordinate(1, 1),
              new org.locationtech.jts.geom.Coordinate(1, 0),
                  new org.locationtech.jts.geom.Coordinate(0, 1),
              new org.locationtech.jts.geom.Coordinate(0, 0)
            });
    assertThatThrownBy(() -> Boundaries.checked(bowTie, "zone 'w-330106-01'"))
        .hasMessageContaining("zone 'w-330106-01'")
        .hasMessageContaining("Self-intersection")
        .hasMessageContaining("cannot be repaired safely");
  }
}
