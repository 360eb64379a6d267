package io.citybrain.jobs.emergency;

import io.citybrain.geo.DistrictIndex;
import java.util.Optional;

/** Places positions in the real Hangzhou districts only (no communities or buildings). */
public final class DistrictLocator implements Locator {
  private transient DistrictIndex districts;

  @Override
  public void open() {
    districts = DistrictIndex.hangzhou();
  }

  @Override
  public Optional<Place> locate(double lon, double lat) {
    return districts.locate(lon, lat).map(d -> new Place(d.code(), null, null));
  }
}
