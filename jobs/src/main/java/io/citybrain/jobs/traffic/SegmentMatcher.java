package io.citybrain.jobs.traffic;

import java.io.Serializable;
import java.util.Optional;

/**
 * Places a traffic reading on a road segment. Built once per task ({@link #open()}), then queried
 * from the task thread only.
 */
public interface SegmentMatcher extends Serializable {

  void open();

  /**
   * The segment a reading at the position belongs to: for a probe ({@code headingDeg} given) the
   * nearest segment within 30 m whose bearing is within 45° of the heading; for a loop detector
   * (no heading) the nearest segment within 30 m. Empty when none qualifies.
   */
  Optional<MatchedSegment> match(double lon, double lat, Double headingDeg);
}
