package io.citybrain.jobs.utility;

import io.citybrain.geo.Areas;
import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Utility;
import io.citybrain.geo.UtilityZone;
import io.citybrain.jobs.common.CitySource;
import java.util.Optional;

/**
 * Places meters in the city's utility zones (a city package's, or those {@link CityModel#generate}
 * makes for a seed): water metered areas, power feeder areas and gas zones, with the geo module's
 * {@code covers} semantics and its tie rule on shared edges. The zone id and its district come from
 * the model, so the job's {@code zone} tag is the id in {@code ./citybrain city export}'s {@code
 * zones.geojson}.
 *
 * <p>Only the seed travels with the job graph; each task builds (or takes from the JVM's cache) the
 * model and its index in {@link #open()}. The index is immutable, so tasks of one JVM share it.
 * Zones an operator replaced arrive through {@link #use} (docs/geography.md).
 */
public final class GeoZoneLocator implements ZoneLocator {

  private final CitySource source;
  private transient CityIndex index;

  public GeoZoneLocator(CitySource source) {
    this.source = source;
  }

  /** On the generated city of {@code citySeed}. */
  public GeoZoneLocator(long citySeed) {
    this(CitySource.generated(citySeed));
  }

  @Override
  public void open() {
    use(source.city());
  }

  @Override
  public void use(CityModel city) {
    index = city.index();
  }

  @Override
  public Optional<ZonePlace> locate(double lon, double lat, String utility) {
    Utility u = utility(utility);
    if (u == null) {
      return Optional.empty();
    }
    Areas areas = index.locate(lon, lat);
    if (areas.isOutside()) {
      return Optional.empty();
    }
    return areas.zone(u).map(GeoZoneLocator::place);
  }

  private static ZonePlace place(UtilityZone z) {
    return new ZonePlace(z.id(), z.districtCode());
  }

  /**
   * The geo module's utility of a contract v1 kind ({@code water}, {@code power}, {@code gas}),
   * null for any other.
   */
  static Utility utility(String kind) {
    for (Utility u : Utility.values()) {
      if (u.wireName().equals(kind)) {
        return u;
      }
    }
    return null;
  }

  @Override
  public CitySource city() {
    return source;
  }
}
