package io.citybrain.jobs.traffic;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import java.util.Optional;

/** Pure functions from raw traffic records to fixes, and from fixes to segment observations. */
public final class TrafficReadings {
  private TrafficReadings() {}

  public static ProbeFix decode(KafkaEvent e) throws Rejected {
    Envelope env = Envelopes.decode(e);
    Reading r = Envelopes.reading(env).orElse(null);
    if (r instanceof Reading.Loop loop) {
      return new ProbeFix(
          env.deviceId(),
          "loop",
          env.ts(),
          env.lon(),
          env.lat(),
          loop.speedKmh(),
          null,
          loop.count(),
          loop.intervalS(),
          loop.occupancy(),
          e.coordinate());
    }
    if (r instanceof Reading.Probe probe) {
      return new ProbeFix(
          env.deviceId(),
          "probe",
          env.ts(),
          env.lon(),
          env.lat(),
          probe.speedKmh(),
          probe.headingDeg(),
          1,
          0,
          0,
          e.coordinate());
    }
    throw new Rejected(
        Reason.UNKNOWN_KIND,
        "the traffic job reads traffic/loop and traffic/probe, not "
            + env.domain()
            + "/"
            + env.kind());
  }

  /** The observation a fix makes of its segment, or a rejection when it is on no road. */
  public static TrafficObservation observe(ProbeFix f, SegmentMatcher matcher) throws Rejected {
    Optional<MatchedSegment> s =
        "loop".equals(f.kind())
            ? matcher.matchLoop(f.deviceId(), f.lon(), f.lat())
            : matcher.match(f.lon(), f.lat(), f.headingDeg());
    if (s.isEmpty()) {
      throw new Rejected(
          Reason.UNMATCHED,
          f.deviceId()
              + " at "
              + f.lat()
              + ","
              + f.lon()
              + (f.headingDeg() == null ? "" : " heading " + f.headingDeg())
              + " is on no road segment within 30 m");
    }
    // A loop reporting no vehicles says nothing about speed; it still counts as a sample of flow.
    double vehicles = "loop".equals(f.kind()) ? f.count() : 1;
    return new TrafficObservation(
        f.deviceId(),
        s.get(),
        f.ts(),
        f.speedKmh(),
        vehicles,
        f.intervalS(),
        f.occupancy(),
        f.origin());
  }
}
