package io.citybrain.jobs.emergency;

import java.io.Serializable;
import java.util.Optional;

/**
 * Places a position in the city. Built once per task ({@link #open()}), then queried from the task
 * thread only.
 */
public interface Locator extends Serializable {

  /** Loads whatever index the locator needs; called once per task before the first query. */
  void open();

  /** The place at the position, or empty when it is outside the city. */
  Optional<Place> locate(double lon, double lat);
}
