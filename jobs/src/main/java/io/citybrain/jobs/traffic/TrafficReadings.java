package io.citybrain.jobs.traffic;

import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;

/** Pure functions from a raw traffic record to a speed reading in a district. */
public final class TrafficReadings {
  private TrafficReadings() {}

  /**
   * Loop detectors and probe vehicles both report {@code speedKmh}: a loop its interval's mean, a
   * probe its instantaneous speed.
   */
  public static SpeedReading toSpeedReading(KafkaEvent e, DistrictIndex districts) throws Rejected {
    Envelope env = Envelopes.decode(e);
    if (!"traffic".equals(env.domain()) || !("loop".equals(env.kind()) || "probe".equals(env.kind()))) {
      throw new Rejected(Reason.UNKNOWN_KIND, "the traffic job reads traffic/loop and traffic/probe, not " + env.domain() + "/" + env.kind());
    }
    double speed;
    try {
      speed = env.number("speedKmh");
    } catch (IllegalArgumentException ex) {
      throw new Rejected(Reason.MISSING_FIELD, ex.getMessage());
    }
    District d = districts.locate(env.lon(), env.lat())
        .orElseThrow(() -> new Rejected(Reason.OUTSIDE_CITY, env.deviceId() + " at " + env.lat() + "," + env.lon() + " is in no district"));
    return new SpeedReading(env.deviceId(), d.code(), speed, env.ts(), e.topic(), e.value());
  }
}
