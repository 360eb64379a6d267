package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.Polygon;

/**
 * A building footprint inside a community; smoke detectors in one building confirm each other. Ids
 * look like {@code b-330106-0042-07}.
 *
 * <p>Immutable; the geometry must not be modified.
 */
public record Building(String id, String communityId, Polygon footprint) {
  public Building {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(communityId, "communityId");
    Objects.requireNonNull(footprint, "footprint");
  }
}
