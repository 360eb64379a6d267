package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

class PolygonIndexTest {

  private static final WKTReader WKT = new WKTReader(GeoJsonFeatures.WGS84);

  private static List<Geometry> read(String... wkt) {
    List<Geometry> out = new ArrayList<>();
    for (String w : wkt) {
      try {
        out.add(WKT.read(w));
      } catch (ParseException e) {
        throw new IllegalArgumentException(w, e);
      }
    }
    return out;
  }

  @Test
  void pointsOnEdgesAndVerticesAreCovered() {
    PolygonIndex index =
        new PolygonIndex(
            read("POLYGON ((120 30, 120.01 30, 120.01 30.01, 120 30.01, 120 30))"), 0.0001);
    assertThat(index.locate(120.005, 30.005)).isZero();
    assertThat(index.locate(120.01, 30.005)).isZero();
    assertThat(index.locate(120.0, 30.0)).isZero();
    assertThat(index.locate(120.01, 30.01)).isZero();
    assertThat(index.locate(120.0100001, 30.005)).isEqualTo(-1);
    assertThat(index.locate(119.9999999, 30.005)).isEqualTo(-1);
    assertThat(index.locate(0, 0)).isEqualTo(-1);
    assertThat(index.locate(Double.NaN, 30)).isEqualTo(-1);
  }

  @Test
  void aHoleIsOutsideButItsRimIsInside() {
    PolygonIndex index =
        new PolygonIndex(
            read("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))"), 0.01);
    assertThat(index.locate(5, 5)).isEqualTo(-1);
    assertThat(index.locate(4, 5)).isZero();
    assertThat(index.locate(6, 6)).isZero();
    assertThat(index.locate(3.9, 5)).isZero();
  }

  @Test
  void everyPartOfAMultiPolygonCountsAndAPolygonInTheHoleOfAnotherWins() {
    PolygonIndex index =
        new PolygonIndex(
            read(
                "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5)))",
                "POLYGON ((2 2, 4 2, 4 4, 2 4, 2 2), (2.5 2.5, 3.5 2.5, 3.5 3.5, 2.5 3.5, 2.5 2.5))",
                "POLYGON ((2.5 2.5, 3.5 2.5, 3.5 3.5, 2.5 3.5, 2.5 2.5))"),
            0.001);
    assertThat(index.locate(0.5, 0.5)).isZero();
    assertThat(index.locate(5.5, 5.5)).isZero();
    assertThat(index.locate(3, 3)).isEqualTo(2);
    assertThat(index.locate(2.5, 3)).isEqualTo(1);
    assertThat(index.locate(2.2, 3)).isEqualTo(1);
    assertThat(index.locate(3, 1)).isEqualTo(-1);
  }

  @Test
  void aSharedEdgeGoesToTheFirstPolygonAndOverlapsToo() {
    PolygonIndex index =
        new PolygonIndex(
            read(
                "POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))",
                "POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))",
                "POLYGON ((0.5 0, 1.5 0, 1.5 2, 0.5 2, 0.5 0))"),
            0.001);
    assertThat(index.locate(1, 0.5)).isZero();
    assertThat(index.locate(1.2, 0.5)).isEqualTo(1);
    assertThat(index.locate(0.7, 0.5)).isZero();
    assertThat(index.locate(1, 1.5)).isEqualTo(2);
  }

  @Test
  void anEmptyListAnswersNothing() {
    assertThat(new PolygonIndex(List.of(), 0.01).locate(1, 1)).isEqualTo(-1);
  }

  /**
   * The property the index must keep: for any point it answers what a loop over the polygons in
   * order, stopping at the first that {@code covers} the point, answers. A million points over the
   * city's communities and districts: uniform ones, and every vertex and edge midpoint of the
   * polygons (points on or within rounding of a boundary).
   */
  @Test
  void agreesWithALoopOfCoversOnAMillionPoints() {
    CityModel city = CityModel.hangzhou();
    List<Geometry> polygons = new ArrayList<>();
    city.districts().forEach(d -> polygons.add(d.boundary()));
    city.communities().forEach(c -> polygons.add(c.boundary()));
    PolygonIndex index = new PolygonIndex(polygons, 0.0002);
    Naive naive = new Naive(polygons);
    List<double[]> points = new ArrayList<>();
    for (Geometry g : polygons) {
      Coordinate[] cs = g.getCoordinates();
      for (int i = 0; i < cs.length; i++) {
        points.add(new double[] {cs[i].x, cs[i].y});
        if (i + 1 < cs.length) {
          points.add(new double[] {(cs[i].x + cs[i + 1].x) / 2, (cs[i].y + cs[i + 1].y) / 2});
        }
      }
    }
    SplittableRandom random = new SplittableRandom(20261124);
    Envelope urban = new Envelope(120.0, 120.45, 30.1, 30.45);
    Envelope all = new Envelope();
    polygons.forEach(g -> all.expandToInclude(g.getEnvelopeInternal()));
    all.expandBy(0.05);
    while (points.size() < 1_000_000) {
      Envelope e = points.size() % 2 == 0 ? urban : all;
      points.add(
          new double[] {
            e.getMinX() + random.nextDouble() * e.getWidth(),
            e.getMinY() + random.nextDouble() * e.getHeight()
          });
    }
    int mismatches = 0;
    String first = null;
    for (double[] p : points) {
      int expected = naive.locate(p[0], p[1]);
      int actual = index.locate(p[0], p[1]);
      if (expected != actual) {
        mismatches++;
        if (first == null) {
          first = "POINT (" + p[0] + " " + p[1] + "): expected " + expected + ", got " + actual;
        }
      }
    }
    assertThat(mismatches).as("first mismatch: %s", first).isZero();
  }

  /**
   * The loop of {@code covers} over the polygons in list order. An STR-tree only skips polygons
   * whose envelope cannot hold the point (so a million points take seconds); the candidates are
   * still tried in list order.
   */
  static final class Naive {
    private final STRtree tree = new STRtree();
    private final List<PreparedGeometry> prepared = new ArrayList<>();

    Naive(List<Geometry> polygons) {
      for (int i = 0; i < polygons.size(); i++) {
        prepared.add(PreparedGeometryFactory.prepare(polygons.get(i)));
        tree.insert(polygons.get(i).getEnvelopeInternal(), i);
      }
      tree.build();
    }

    int locate(double x, double y) {
      @SuppressWarnings("unchecked")
      List<Integer> candidates = tree.query(new Envelope(x, x, y, y));
      candidates.sort(null);
      Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(x, y));
      for (int i : candidates) {
        if (prepared.get(i).covers(p)) {
          return i;
        }
      }
      return -1;
    }
  }
}
