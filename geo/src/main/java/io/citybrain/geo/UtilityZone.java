package io.citybrain.geo;

import java.util.Objects;
import org.locationtech.jts.geom.Geometry;

/**
 * A zone of one utility network (water metered area, power feeder area, gas zone). Zones of one
 * utility do not overlap. Ids look like {@code w-330106-02} (w water, p power, g gas).
 *
 * <p>Immutable; the geometry (Polygon or MultiPolygon) must not be modified.
 */
public record UtilityZone(String id, Utility utility, String districtCode, Geometry boundary) {
  public UtilityZone {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(utility, "utility");
    Objects.requireNonNull(districtCode, "districtCode");
    Objects.requireNonNull(boundary, "boundary");
  }
}
