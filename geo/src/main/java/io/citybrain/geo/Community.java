package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.Polygon;

/**
 * A residential community (社区): the unit a community manager looks after and the {@code community}
 * of alerts. Ids look like {@code c-330106-0042}: the district code and a number within it.
 *
 * <p>Immutable; the geometry must not be modified.
 */
public record Community(String id, String districtCode, String name, Polygon boundary) {
  public Community {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(districtCode, "districtCode");
    Objects.requireNonNull(boundary, "boundary");
  }
}
