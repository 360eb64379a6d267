package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.LineString;

/**
 * A road segment between two junctions. A one-way segment is driven in the direction of its
 * geometry. {@code lengthM} is metric (see {@link Metric}); {@code districtCode} is the district
 * covering the segment's midpoint. Ids look like {@code r-000123} (generated) or {@code w<way>-<n>}
 * (imported: the n-th piece of an OpenStreetMap way). {@code lanes} is 0 where unknown; {@code
 * sourceId} names the feature of the source it came from ({@code osm:way/123}), or is null.
 *
 * <p>Immutable; the geometry must not be modified.
 */
public record RoadSegment(
    String id,
    RoadClass roadClass,
    double freeFlowKmh,
    double lengthM,
    boolean oneway,
    String districtCode,
    LineString geometry,
    int lanes,
    String sourceId) {

  /** A segment with no lane count and no source id (the generator's). */
  public RoadSegment(
      String id,
      RoadClass roadClass,
      double freeFlowKmh,
      double lengthM,
      boolean oneway,
      String districtCode,
      LineString geometry) {
    this(id, roadClass, freeFlowKmh, lengthM, oneway, districtCode, geometry, 0, null);
  }

  public RoadSegment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(roadClass, "roadClass");
    Objects.requireNonNull(districtCode, "districtCode");
    Objects.requireNonNull(geometry, "geometry");
    if (geometry.getNumPoints() < 2) {
      throw new IllegalArgumentException("road segment " + id + " needs at least two points");
    }
    if (lanes < 0) {
      throw new IllegalArgumentException(
          "road segment " + id + " has a negative lane count " + lanes);
    }
    if (!(freeFlowKmh > 0)) {
      throw new IllegalArgumentException(
          "road segment " + id + " has a non-positive freeFlowKmh " + freeFlowKmh);
    }
  }

  /**
   * A segment of the given class at its default free-flow speed, with its metric length computed.
   */
  public static RoadSegment of(
      String id, RoadClass roadClass, boolean oneway, String districtCode, LineString geometry) {
    return new RoadSegment(
        id,
        roadClass,
        roadClass.defaultFreeFlowKmh(),
        lengthM(geometry),
        oneway,
        districtCode,
        geometry);
  }

  static double lengthM(LineString line) {
    double sum = 0;
    for (int i = 1; i < line.getNumPoints(); i++) {
      var a = line.getCoordinateN(i - 1);
      var b = line.getCoordinateN(i);
      sum += Metric.distanceM(a.x, a.y, b.x, b.y);
    }
    return sum;
  }
}
