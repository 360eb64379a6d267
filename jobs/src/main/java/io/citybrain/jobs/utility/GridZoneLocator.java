package io.citybrain.jobs.utility;

import io.citybrain.geo.DistrictIndex;
import java.util.Locale;
import java.util.Optional;

/**
 * A stand-in for the city model's utility zones until they exist: each district is cut into square
 * cells of about 2 km (on a local equirectangular projection around Hangzhou), and a zone is a
 * utility's part of one cell, named {@code <w|p|g>-<district>-<x>-<y>}. Deterministic, so the
 * same meter always lands in the same zone. A cell that straddles a district boundary gives two
 * zones, one per district.
 *
 * <p>Thread safety: the district index is built in {@link #open()} and only read afterwards.
 */
public final class GridZoneLocator implements ZoneLocator {

  /** About the size of a district metered area of a few thousand connections. */
  public static final double CELL_M = 2_000.0;
  private static final double METRES_PER_DEG_LAT = 111_320.0;
  private static final double METRES_PER_DEG_LON = METRES_PER_DEG_LAT * Math.cos(Math.toRadians(30.25));

  private transient DistrictIndex districts;

  @Override
  public void open() {
    districts = DistrictIndex.hangzhou();
  }

  @Override
  public Optional<ZonePlace> locate(double lon, double lat, String utility) {
    String prefix = prefix(utility);
    if (prefix == null) {
      return Optional.empty();
    }
    return districts.locate(lon, lat).map(d -> new ZonePlace(zoneId(prefix, d.code(), lon, lat), d.code()));
  }

  static String prefix(String utility) {
    if ("water".equals(utility)) {
      return "w";
    }
    if ("power".equals(utility)) {
      return "p";
    }
    if ("gas".equals(utility)) {
      return "g";
    }
    return null;
  }

  static String zoneId(String prefix, String district, double lon, double lat) {
    long x = (long) Math.floor(lon * METRES_PER_DEG_LON / CELL_M);
    long y = (long) Math.floor(lat * METRES_PER_DEG_LAT / CELL_M);
    return String.format(Locale.ROOT, "%s-%s-%d-%d", prefix, district, x, y);
  }

  /** The centre of the grid cell containing the position, {lon, lat}: for tests and simulators. */
  public static double[] cellCentre(double lon, double lat) {
    double x = Math.floor(lon * METRES_PER_DEG_LON / CELL_M) + 0.5;
    double y = Math.floor(lat * METRES_PER_DEG_LAT / CELL_M) + 0.5;
    return new double[] {x * CELL_M / METRES_PER_DEG_LON, y * CELL_M / METRES_PER_DEG_LAT};
  }
}
