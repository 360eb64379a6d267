package io.citybrain.simulators;

import io.citybrain.geo.RoadSegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/** Positions along road segments and the junctions between them, for vehicles that drive. */
final class Roads {

  private final Map<String, List<RoadSegment>> byJunction = new HashMap<>();

  Roads(List<RoadSegment> segments) {
    for (RoadSegment s : segments) {
      byJunction
          .computeIfAbsent(key(s.geometry().getCoordinateN(0)), k -> new ArrayList<>())
          .add(s);
      byJunction
          .computeIfAbsent(
              key(s.geometry().getCoordinateN(s.geometry().getNumPoints() - 1)),
              k -> new ArrayList<>())
          .add(s);
    }
  }

  private static String key(Coordinate c) {
    return String.format(Locale.ROOT, "%.6f,%.6f", c.x, c.y);
  }

  /**
   * The point at {@code fraction} (0..1) of the segment's length, in the direction of its geometry.
   */
  static Coordinate pointAt(RoadSegment s, double fraction) {
    LengthIndexedLine line = new LengthIndexedLine(s.geometry());
    return line.extractPoint(Math.max(0, Math.min(1, fraction)) * line.getEndIndex());
  }

  /**
   * Compass bearing (0 = north, clockwise) of travel at {@code fraction}, forward or against the
   * geometry.
   */
  static double headingAt(RoadSegment s, double fraction, boolean forward) {
    Coordinate a = pointAt(s, Math.max(0, fraction - 0.01));
    Coordinate b = pointAt(s, Math.min(1, fraction + 0.01));
    double dx = (b.x - a.x) * Math.cos(Math.toRadians(a.y));
    double dy = b.y - a.y;
    double bearing = (Math.toDegrees(Math.atan2(dx, dy)) + 360) % 360;
    return forward ? bearing : (bearing + 180) % 360;
  }

  /**
   * A segment to continue on from the end of {@code s} that a vehicle may enter there (a one-way
   * segment only at its start); the way back when the junction is a dead end.
   */
  Next next(RoadSegment s, boolean forward, Random r) {
    Coordinate end =
        forward
            ? s.geometry().getCoordinateN(s.geometry().getNumPoints() - 1)
            : s.geometry().getCoordinateN(0);
    String k = key(end);
    List<Next> options = new ArrayList<>();
    for (RoadSegment o : byJunction.getOrDefault(k, List.of())) {
      if (o == s) {
        continue;
      }
      boolean startsHere = key(o.geometry().getCoordinateN(0)).equals(k);
      if (startsHere) {
        options.add(new Next(o, true));
      } else if (!o.oneway()) {
        options.add(new Next(o, false));
      }
    }
    if (options.isEmpty()) {
      return s.oneway() ? new Next(s, true) : new Next(s, !forward);
    }
    return options.get(r.nextInt(options.size()));
  }

  record Next(RoadSegment segment, boolean forward) {}
}
