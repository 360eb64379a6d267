package io.citybrain.jobs.utility;

import io.citybrain.geo.CityModel;
import java.io.Serializable;
import java.util.Optional;

/**
 * Finds the utility zone of a meter: its water metered area, power feeder area or gas zone. The
 * utility job looks zones up through this interface only: {@link GeoZoneLocator} answers from the
 * city model, and takes redrawn zones an operator publishes ({@link #use}, docs/geography.md); a
 * test can stand in without touching the rules.
 *
 * <p>Built once per task ({@link #open()}), then queried from the task thread only.
 */
public interface ZoneLocator extends Serializable {

  /** Loads whatever index the locator needs; called once per task before the first query. */
  void open();

  /** The city the locator starts from (the job's {@code city.package} or {@code city.seed}). */
  io.citybrain.jobs.common.CitySource city();

  /**
   * Answers from {@code city} from now on: the seed's city with zones an operator replaced. Called
   * from the task thread, between two queries.
   */
  void use(CityModel city);

  /**
   * The zone of a meter of {@code utility} ({@code water}, {@code power}, {@code gas}) at the
   * position, or empty when no zone of that utility covers it.
   */
  Optional<ZonePlace> locate(double lon, double lat, String utility);
}
