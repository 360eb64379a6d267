package io.citybrain.jobs.traffic;

import java.io.Serializable;
import java.util.Optional;

/**
 * Places a traffic reading on a road segment. Built once per task ({@link #open()}), then queried
 * from the task thread only.
 */
public interface SegmentMatcher extends Serializable {

  void open();

  /** The city the matcher starts from (the job's {@code city.package} or {@code city.seed}). */
  io.citybrain.jobs.common.CitySource city();

  /**
   * Matches against {@code city}'s roads from now on: an operator replaced the roads layer while
   * the job runs ({@code city publish --layer roads}). Called on the task thread between two
   * readings.
   */
  void use(io.citybrain.geo.CityModel city);

  /**
   * The segment a reading at the position belongs to: for a probe ({@code headingDeg} given) the
   * nearest segment within 30 m whose bearing is within 45° of the heading; for a loop detector (no
   * heading) the nearest segment within 30 m. Empty when none qualifies.
   */
  Optional<MatchedSegment> match(double lon, double lat, Double headingDeg);

  /**
   * The segment of a loop detector: the one the device registry names for it, else by position as
   * {@link #match}. A detector between two parallel carriageways is matched wrongly by position
   * alone; its installer knows which one it counts.
   */
  default Optional<MatchedSegment> matchLoop(String deviceId, double lon, double lat) {
    return match(lon, lat, null);
  }
}
