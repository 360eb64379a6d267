package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.Geometry;

/**
 * A county-level district: its six-digit administrative division code (the {@code district} tag of
 * every measurement), its names and its boundary in WGS84 lon/lat degrees.
 *
 * <p>Immutable; the geometry must not be modified after construction.
 */
public record District(String code, String name, String slug, Geometry boundary, double centerLon, double centerLat) {

  public District {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(boundary, "boundary");
    if (!code.matches("\\d{6}")) {
      throw new IllegalArgumentException("district code must be six digits, got '" + code + "'");
    }
    if (boundary.isEmpty()) {
      throw new IllegalArgumentException("district " + code + " has an empty boundary");
    }
  }
}
