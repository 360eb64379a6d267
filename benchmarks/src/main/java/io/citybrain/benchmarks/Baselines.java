package io.citybrain.benchmarks;

import java.util.List;
import org.locationtech.jts.algorithm.locate.SimplePointInAreaLocator;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.TopologyException;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The two contenders every lookup benchmark is compared with. Both answer what {@code
 * PolygonIndex.locate} answers: the first polygon in list order that covers the point, or -1.
 */
final class Baselines {

  static final GeometryFactory WGS84 = new GeometryFactory();

  private Baselines() {}

  /**
   * (a) A loop over all polygons calling {@code Polygon.covers} (which checks the envelope first).
   * Some published district polygons are invalid and make {@code covers} throw a {@link
   * TopologyException}; for those the answer comes from an unindexed point-in-polygon test.
   */
  static final class Naive {
    private final Geometry[] polygons;

    Naive(List<Geometry> polygons) {
      this.polygons = polygons.toArray(new Geometry[0]);
    }

    int locate(double x, double y) {
      Point p = WGS84.createPoint(new Coordinate(x, y));
      for (int i = 0; i < polygons.length; i++) {
        if (covers(polygons[i], p)) {
          return i;
        }
      }
      return -1;
    }

    private static boolean covers(Geometry polygon, Point p) {
      try {
        return polygon.covers(p);
      } catch (TopologyException e) {
        return SimplePointInAreaLocator.locate(p.getCoordinate(), polygon) != Location.EXTERIOR;
      }
    }

    /** The first covering polygon of each layer, folded into one int (a hash of the answers). */
    int locateAll(double x, double y, int[] layerOf, int layers) {
      Point p = WGS84.createPoint(new Coordinate(x, y));
      int[] found = new int[layers];
      java.util.Arrays.fill(found, -1);
      int missing = layers;
      for (int i = 0; i < polygons.length && missing > 0; i++) {
        if (found[layerOf[i]] < 0 && covers(polygons[i], p)) {
          found[layerOf[i]] = i;
          missing--;
        }
      }
      return java.util.Arrays.hashCode(found);
    }
  }

  /**
   * (b) An STR-tree of prepared polygons queried with the point's envelope, as in JTS's example
   * {@code SearchUsingPreparedGeometryIndex}; the lowest covering index wins.
   */
  static final class PreparedTree {
    private final STRtree tree = new STRtree();
    private final PreparedGeometry[] prepared;

    PreparedTree(List<Geometry> polygons) {
      prepared = new PreparedGeometry[polygons.size()];
      for (int i = 0; i < prepared.length; i++) {
        prepared[i] = PreparedGeometryFactory.prepare(polygons.get(i));
        tree.insert(polygons.get(i).getEnvelopeInternal(), i);
        // Prepared polygons index their edges on first use; pay that here, not in the measurement.
        prepared[i].covers(polygons.get(i).getInteriorPoint());
      }
      tree.build();
    }

    int locate(double x, double y) {
      Point p = WGS84.createPoint(new Coordinate(x, y));
      @SuppressWarnings("unchecked")
      List<Integer> candidates = tree.query(new Envelope(x, x, y, y));
      int best = -1;
      for (int i : candidates) {
        if ((best < 0 || i < best) && prepared[i].covers(p)) {
          best = i;
        }
      }
      return best;
    }

    /** The first covering polygon of each layer, folded into one int (a hash of the answers). */
    int locateAll(double x, double y, int[] layerOf, int layers) {
      Point p = WGS84.createPoint(new Coordinate(x, y));
      @SuppressWarnings("unchecked")
      List<Integer> candidates = tree.query(new Envelope(x, x, y, y));
      int[] found = new int[layers];
      java.util.Arrays.fill(found, -1);
      for (int i : candidates) {
        int layer = layerOf[i];
        if ((found[layer] < 0 || i < found[layer]) && prepared[i].covers(p)) {
          found[layer] = i;
        }
      }
      return java.util.Arrays.hashCode(found);
    }
  }
}
