package io.citybrain.geo;

/**
 * Metric distances and bearings on WGS84 lon/lat degrees. Works in a local tangent plane at the
 * points' mean latitude, with the ellipsoid's radii of curvature there (the series of the WGS84
 * ellipsoid), so a degree of longitude at Hangzhou (30.25°N) is about 96.3 km, not 111 km. For the
 * distances the city asks about (metres to tens of kilometres) the error is below 0.1%.
 *
 * <p>Stateless; safe from any thread.
 */
public final class Metric {

  private Metric() {}

  /** Metres per degree of latitude at the given latitude. */
  public static double metresPerDegreeLat(double latDeg) {
    double p = Math.toRadians(latDeg);
    return 111_132.92
        - 559.82 * Math.cos(2 * p)
        + 1.175 * Math.cos(4 * p)
        - 0.0023 * Math.cos(6 * p);
  }

  /** Metres per degree of longitude at the given latitude. */
  public static double metresPerDegreeLon(double latDeg) {
    double p = Math.toRadians(latDeg);
    return 111_412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p) + 0.118 * Math.cos(5 * p);
  }

  /** Distance in metres between two points. */
  public static double distanceM(double lon1, double lat1, double lon2, double lat2) {
    double mid = (lat1 + lat2) / 2;
    double dx = (lon2 - lon1) * metresPerDegreeLon(mid);
    double dy = (lat2 - lat1) * metresPerDegreeLat(mid);
    return Math.sqrt(dx * dx + dy * dy);
  }

  /**
   * Initial bearing from the first point to the second, degrees clockwise from north in [0, 360).
   */
  public static double bearingDeg(double lon1, double lat1, double lon2, double lat2) {
    double mid = (lat1 + lat2) / 2;
    double dx = (lon2 - lon1) * metresPerDegreeLon(mid);
    double dy = (lat2 - lat1) * metresPerDegreeLat(mid);
    double b = Math.toDegrees(Math.atan2(dx, dy));
    return b < 0 ? b + 360 : b;
  }

  /** The smallest angle between two bearings, in [0, 180]. */
  public static double angleBetween(double aDeg, double bDeg) {
    double d = Math.abs(aDeg - bDeg) % 360;
    return d > 180 ? 360 - d : d;
  }
}
