package io.citybrain.geo;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Answers "which district is this point in?" with an STR-tree of prepared polygons.
 *
 * <p>Boundaries use {@code covers} semantics: a point on a district's edge belongs to it (where two
 * districts share the edge, the first in load order wins). The tree is built in the constructor, so
 * after construction the index is immutable and safe to query from many threads.
 */
public final class DistrictIndex {

  private record Entry(District district, PreparedGeometry prepared) {}

  private final List<District> districts;
  private final STRtree tree = new STRtree();
  private final Envelope extent = new Envelope();

  public DistrictIndex(List<District> districts) {
    this.districts = List.copyOf(districts);
    for (District d : this.districts) {
      Envelope env = d.boundary().getEnvelopeInternal();
      tree.insert(env, new Entry(d, PreparedGeometryFactory.prepare(d.boundary())));
      extent.expandToInclude(env);
    }
    tree.build();
  }

  /** The index of the bundled Hangzhou districts. */
  public static DistrictIndex hangzhou() {
    return new DistrictIndex(Districts.hangzhou());
  }

  /** The district covering the point, or empty when the point is outside the city. */
  public Optional<District> locate(double lon, double lat) {
    if (!extent.contains(lon, lat)) {
      return Optional.empty();
    }
    Point p = GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat));
    Envelope probe = new Envelope(lon, lon, lat, lat);
    @SuppressWarnings("unchecked")
    List<Entry> candidates = tree.query(probe);
    Entry best = null;
    for (Entry e : candidates) {
      if (e.prepared().covers(p) && (best == null || order(e) < order(best))) {
        best = e;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.district());
  }

  private int order(Entry e) {
    return districts.indexOf(e.district());
  }

  public List<District> districts() {
    return districts;
  }

  /**
   * A uniformly random point inside the district (rejection sampling in its bounding box), for
   * simulators and tests. Deterministic for a given {@link Random}.
   */
  public static double[] randomPointIn(District d, Random random) {
    Envelope env = d.boundary().getEnvelopeInternal();
    PreparedGeometry prepared = PreparedGeometryFactory.prepare(d.boundary());
    for (int i = 0; i < 10_000; i++) {
      double lon = env.getMinX() + random.nextDouble() * env.getWidth();
      double lat = env.getMinY() + random.nextDouble() * env.getHeight();
      if (prepared.covers(GeoJsonFeatures.WGS84.createPoint(new Coordinate(lon, lat)))) {
        return new double[] {lon, lat};
      }
    }
    throw new IllegalStateException("no point found inside district " + d.code());
  }
}
