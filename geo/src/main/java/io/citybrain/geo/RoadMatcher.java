package io.citybrain.geo;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;

/**
 * Map matching of probe positions: the nearest road segment within {@link #MAX_DISTANCE_M} whose
 * bearing is within {@link #MAX_ANGLE_DEG} of the vehicle's heading (on a two-way segment, of
 * either direction). Distances are metric, in the local tangent plane at the probe's latitude
 * ({@link Metric}); a segment's bearing is taken per straight piece of its geometry.
 *
 * <p>Design: a uniform grid of ~200 m cells; every cell lists the straight pieces that come within
 * 30 m of it, so a query reads one cell and measures a handful of pieces. Ties in distance go to
 * the segment earlier in the list.
 *
 * <p>Immutable after construction and safe to query from many threads.
 */
public final class RoadMatcher {

  public static final double MAX_DISTANCE_M = 30;
  public static final double MAX_ANGLE_DEG = 45;
  private static final double CELL_DEG = 0.002;
  private static final int MAX_CELLS = 1 << 22;

  private final List<RoadSegment> segments;
  private final double[] x0;
  private final double[] y0;
  private final double[] x1;
  private final double[] y1;
  private final double[] bearing;
  private final int[] pieceSegment;
  private final double minX;
  private final double minY;
  private final double cell;
  private final int cols;
  private final int rows;
  private final int[] cellStart;
  private final int[] cellPieces;

  public RoadMatcher(List<RoadSegment> segments) {
    this.segments = List.copyOf(segments);
    int pieces = 0;
    Envelope extent = new Envelope();
    for (RoadSegment s : this.segments) {
      pieces += s.geometry().getNumPoints() - 1;
      extent.expandToInclude(s.geometry().getEnvelopeInternal());
    }
    x0 = new double[pieces];
    y0 = new double[pieces];
    x1 = new double[pieces];
    y1 = new double[pieces];
    bearing = new double[pieces];
    pieceSegment = new int[pieces];
    int k = 0;
    for (int s = 0; s < this.segments.size(); s++) {
      Coordinate[] cs = this.segments.get(s).geometry().getCoordinates();
      for (int i = 1; i < cs.length; i++, k++) {
        x0[k] = cs[i - 1].x;
        y0[k] = cs[i - 1].y;
        x1[k] = cs[i].x;
        y1[k] = cs[i].y;
        bearing[k] = Metric.bearingDeg(x0[k], y0[k], x1[k], y1[k]);
        pieceSegment[k] = s;
      }
    }
    if (extent.isNull()) {
      extent.init(0, 0, 0, 0);
    }
    // The margin in degrees that 30 m is at most, anywhere in the extent.
    double maxAbsLat =
        Math.min(89, Math.max(Math.abs(extent.getMinY()), Math.abs(extent.getMaxY())));
    double marginX = MAX_DISTANCE_M / Metric.metresPerDegreeLon(maxAbsLat) * 1.01;
    double marginY = MAX_DISTANCE_M / Metric.metresPerDegreeLat(0) * 1.01;
    extent.expandBy(marginX, marginY);
    double c = CELL_DEG;
    while ((extent.getWidth() / c + 1) * (extent.getHeight() / c + 1) > MAX_CELLS) {
      c *= 2;
    }
    cell = c;
    minX = extent.getMinX();
    minY = extent.getMinY();
    cols = (int) (extent.getWidth() / cell) + 1;
    rows = (int) (extent.getHeight() / cell) + 1;
    // Two passes (count, then fill) give a compact cell → pieces table.
    cellStart = new int[cols * rows + 1];
    int[] table = null;
    for (int pass = 0; pass < 2; pass++) {
      int[] fill = pass == 1 ? Arrays.copyOf(cellStart, cellStart.length) : null;
      int[] out = pass == 1 ? new int[cellStart[cellStart.length - 1]] : null;
      for (int p = 0; p < pieces; p++) {
        int c0 = clamp((int) ((Math.min(x0[p], x1[p]) - marginX - minX) / cell), cols);
        int c1 = clamp((int) ((Math.max(x0[p], x1[p]) + marginX - minX) / cell), cols);
        int r0 = clamp((int) ((Math.min(y0[p], y1[p]) - marginY - minY) / cell), rows);
        int r1 = clamp((int) ((Math.max(y0[p], y1[p]) + marginY - minY) / cell), rows);
        for (int r = r0; r <= r1; r++) {
          for (int col = c0; col <= c1; col++) {
            if (pass == 0) {
              cellStart[r * cols + col + 1]++;
            } else {
              out[fill[r * cols + col]++] = p;
            }
          }
        }
      }
      if (pass == 0) {
        for (int i = 1; i < cellStart.length; i++) {
          cellStart[i] += cellStart[i - 1];
        }
      } else {
        table = out;
      }
    }
    cellPieces = table;
  }

  private static int clamp(int i, int n) {
    return Math.max(0, Math.min(n - 1, i));
  }

  /**
   * The segment a vehicle at this position with this heading (degrees clockwise from north) is on,
   * or empty when no segment qualifies. A NaN heading matches the nearest segment regardless of
   * bearing.
   */
  public Optional<RoadMatch> match(double lon, double lat, double headingDeg) {
    int col = (int) Math.floor((lon - minX) / cell);
    int row = (int) Math.floor((lat - minY) / cell);
    if (col < 0 || row < 0 || col >= cols || row >= rows) {
      return Optional.empty();
    }
    double kx = Metric.metresPerDegreeLon(lat);
    double ky = Metric.metresPerDegreeLat(lat);
    boolean anyHeading = Double.isNaN(headingDeg);
    int best = -1;
    boolean bestAgainst = false;
    double bestD2 = MAX_DISTANCE_M * MAX_DISTANCE_M;
    int cellIndex = row * cols + col;
    for (int i = cellStart[cellIndex], end = cellStart[cellIndex + 1]; i < end; i++) {
      int p = cellPieces[i];
      double ax = (x0[p] - lon) * kx;
      double ay = (y0[p] - lat) * ky;
      double bx = (x1[p] - lon) * kx;
      double by = (y1[p] - lat) * ky;
      double d2 = distanceToOriginSquared(ax, ay, bx, by);
      if (d2 > bestD2 || (d2 == bestD2 && best >= 0 && pieceSegment[p] >= pieceSegment[best])) {
        continue;
      }
      boolean against = false;
      if (!anyHeading && Metric.angleBetween(headingDeg, bearing[p]) > MAX_ANGLE_DEG) {
        if (segments.get(pieceSegment[p]).oneway()
            || Metric.angleBetween(headingDeg, bearing[p] + 180) > MAX_ANGLE_DEG) {
          continue;
        }
        against = true;
      }
      best = p;
      bestD2 = d2;
      bestAgainst = against;
    }
    if (best < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new RoadMatch(segments.get(pieceSegment[best]), Math.sqrt(bestD2), bestAgainst));
  }

  private static double distanceToOriginSquared(double ax, double ay, double bx, double by) {
    double dx = bx - ax;
    double dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
    double px = ax + t * dx;
    double py = ay + t * dy;
    return px * px + py * py;
  }

  public List<RoadSegment> segments() {
    return segments;
  }
}
