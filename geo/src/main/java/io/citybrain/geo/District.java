package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.Geometry;

/**
 * A district (in China a county-level district): its code in the city's scheme (GB/T 2260's six
 * digits in China; the {@code district} tag of every measurement), its names and its boundary in
 * WGS84 lon/lat degrees.
 *
 * <p>Immutable; the geometry must not be modified after construction.
 */
public record District(
    String code, String name, String slug, Geometry boundary, double centerLon, double centerLat) {

  /** What every district code must look like, whatever the city's scheme. */
  public static final java.util.regex.Pattern CODE =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  public District {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(boundary, "boundary");
    // Any city's scheme fits (GB/T 2260's six digits, an OSM relation id, a borough code); what a
    // package promises beyond this is its manifest's district code pattern. The character set keeps
    // codes safe as Kafka keys, store tags and MQTT topic levels.
    if (!CODE.matcher(code).matches()) {
      throw new IllegalArgumentException(
          "district code must be 1 to 32 of A-Z a-z 0-9 . _ - (starting with a letter or digit), got '"
              + code
              + "'");
    }
    if (boundary.isEmpty()) {
      throw new IllegalArgumentException("district " + code + " has an empty boundary");
    }
  }
}
