package io.citybrain.geo;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.operation.valid.IsValidOp;
import org.locationtech.jts.operation.valid.TopologyValidationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks area boundaries as they are loaded. Published boundaries often carry small defects (a ring
 * touching itself where internal borders were traced twice); a repair that keeps the area within
 * {@link #MAX_REPAIR_AREA_CHANGE} is safe and is logged, anything else is refused with the
 * feature's name and the problem.
 */
final class Boundaries {

  private static final Logger LOG = LoggerFactory.getLogger(Boundaries.class);

  /** The largest relative change of area a repair may make before the boundary is refused. */
  static final double MAX_REPAIR_AREA_CHANGE = 0.001;

  private Boundaries() {}

  /** Every coordinate is a finite lon/lat position. */
  static boolean inLonLatRange(Geometry g) {
    for (var c : g.getCoordinates()) {
      if (!inRange(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean inRange(org.locationtech.jts.geom.Coordinate c) {
    return c.x >= -180 && c.x <= 180 && c.y >= -90 && c.y <= 90;
  }

  static Geometry checked(Geometry g, String label) {
    if (g == null || g.isEmpty()) {
      throw new IllegalArgumentException(label + " has an empty boundary");
    }
    if (!(g instanceof Polygonal)) {
      throw new IllegalArgumentException(
          label + " must be a Polygon or MultiPolygon, not a " + g.getGeometryType());
    }
    for (var c : g.getCoordinates()) {
      if (!inRange(c)) {
        throw new IllegalArgumentException(
            label + " has a coordinate outside lon/lat range: " + c.x + "," + c.y);
      }
    }
    IsValidOp op = new IsValidOp(g);
    if (op.isValid()) {
      return g;
    }
    TopologyValidationError error = op.getValidationError();
    Geometry fixed = GeometryFixer.fix(g);
    double change = Math.abs(fixed.getArea() - g.getArea()) / g.getArea();
    if (fixed.isEmpty() || !(fixed instanceof Polygonal) || !(change <= MAX_REPAIR_AREA_CHANGE)) {
      throw new IllegalArgumentException(
          label
              + " has an invalid boundary ("
              + error.getMessage()
              + " at "
              + error.getCoordinate()
              + ") that cannot be repaired safely (area change "
              + String.format("%.3f%%", change * 100)
              + ")");
    }
    LOG.info(
        "{}: repaired {} at {} (area change {}%)",
        label, error.getMessage(), error.getCoordinate(), String.format("%.5f", change * 100));
    return fixed;
  }
}
