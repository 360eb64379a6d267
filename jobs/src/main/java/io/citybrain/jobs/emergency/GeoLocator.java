package io.citybrain.jobs.emergency;

import io.citybrain.geo.Areas;
import io.citybrain.geo.Building;
import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.FacilityKind;
import java.util.Optional;

/** Places positions in the city model of a seed: district, community, building, nearest fire station. */
public final class GeoLocator implements Locator {

  private final long citySeed;
  private transient CityIndex index;

  public GeoLocator(long citySeed) {
    this.citySeed = citySeed;
  }

  @Override
  public void open() {
    use(CityModel.generate(citySeed));
  }

  @Override
  public long citySeed() {
    return citySeed;
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
    return Optional.of(new Place(a.districtCode(), a.communityId(), index.buildingAt(lon, lat).map(Building::id).orElse(null),
        station.map(s -> s.facility().name()).orElse(null), station.map(s -> s.distanceM()).orElse(Double.NaN)));
  }
}
