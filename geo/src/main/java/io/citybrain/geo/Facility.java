package io.citybrain.geo;

import java.util.Objects;

/**
 * A fire station or hospital at a point. Ids look like {@code fs-330106-01} and {@code
 * h-330106-01}.
 */
public record Facility(
    String id, FacilityKind kind, String name, String districtCode, double lon, double lat) {
  public Facility {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(districtCode, "districtCode");
  }
}
