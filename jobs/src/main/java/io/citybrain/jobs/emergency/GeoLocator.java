package io.citybrain.jobs.emergency;

import io.citybrain.geo.Areas;
import io.citybrain.geo.Building;
import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.FacilityKind;
import io.citybrain.jobs.common.CitySource;
import java.util.Optional;

/**
 * Places positions in the city (a package, or the generated city of a seed): district, community,
 * building, nearest fire station.
 */
public final class GeoLocator implements Locator {

  private final CitySource source;
  private transient CityIndex index;

  public GeoLocator(CitySource source) {
    this.source = source;
  }

  /** On the generated city of {@code citySeed}. */
  public GeoLocator(long citySeed) {
    this(CitySource.generated(citySeed));
  }

  @Override
  public void open() {
    use(source.city());
  }

  @Override
  public CitySource city() {
    return source;
  }

  @Override
  public void use(CityModel city) {
    index = city.index();
  }

  @Override
  public Optional<Place> locate(double lon, double lat) {
    Areas a = index.locate(lon, lat);
    if (a.isOutside()) {
      return Optional.empty();
    }
    var station = index.nearestFacility(FacilityKind.FIRE_STATION, lon, lat);
    return Optional.of(
        new Place(
            a.districtCode(),
            a.communityId(),
            index.buildingAt(lon, lat).map(Building::id).orElse(null),
            station.map(s -> s.facility().name()).orElse(null),
            station.map(s -> s.distanceM()).orElse(Double.NaN)));
  }
}
