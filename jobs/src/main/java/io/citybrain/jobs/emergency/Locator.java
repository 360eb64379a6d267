package io.citybrain.jobs.emergency;

import io.citybrain.geo.CityModel;
import java.io.Serializable;
import java.util.Optional;

/**
 * Places a position in the city. Built once per task ({@link #open()}), then queried from the task
 * thread only.
 */
public interface Locator extends Serializable {

  /** Loads whatever index the locator needs; called once per task before the first query. */
  void open();

  /** The city the locator starts from (the job's {@code city.package} or {@code city.seed}). */
  io.citybrain.jobs.common.CitySource city();

  /**
   * Answers from {@code city} from now on: the seed's city with a layer an operator replaced
   * (docs/geography.md). Called from the task thread, between two queries.
   */
  void use(CityModel city);

  /** The place at the position, or empty when it is outside the city. */
  Optional<Place> locate(double lon, double lat);
}
