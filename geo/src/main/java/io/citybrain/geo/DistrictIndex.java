package io.citybrain.geo;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * Answers "which district is this point in?" with a {@link PolygonIndex} over the boundaries.
 *
 * <p>Boundaries use {@code covers} semantics: a point on a district's edge belongs to it (where two
 * districts share the edge, the first in load order wins). The index is built in the constructor,
 * so after construction it is immutable and safe to query from many threads. For the finer
 * geography (communities, utility zones) use {@link CityIndex}.
 */
public final class DistrictIndex {

  private static final double LEAF_DEG = 0.0005;
  private static volatile DistrictIndex hangzhou;

  private final List<District> districts;
  private final PolygonIndex index;

  public DistrictIndex(List<District> districts) {
    this.districts = List.copyOf(districts);
    this.index =
        new PolygonIndex(this.districts.stream().map(District::boundary).toList(), LEAF_DEG);
  }

  /** The index of the bundled Hangzhou districts, built once per JVM and shared. */
  public static DistrictIndex hangzhou() {
    DistrictIndex h = hangzhou;
    if (h == null) {
      synchronized (DistrictIndex.class) {
        h = hangzhou;
        if (h == null) {
          h = new DistrictIndex(Districts.hangzhou());
          hangzhou = h;
        }
      }
    }
    return h;
  }

  /** The district covering the point, or empty when the point is outside the city. */
  public Optional<District> locate(double lon, double lat) {
    int i = index.locate(lon, lat);
    return i < 0 ? Optional.empty() : Optional.of(districts.get(i));
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
