package io.citybrain.jobs.traffic;

import java.util.Collection;

/**
 * The traffic indicators as pure functions (definitions in ARCHITECTURE.md, refined here).
 *
 * <ul>
 *   <li>Segment speed is the <b>space-mean</b> speed: the harmonic mean of the vehicles' speeds,
 *       each loop report counting as its {@code count} vehicles at its mean speed and each probe
 *       fix as one vehicle. Travel time over a segment is length / space-mean speed; the arithmetic
 *       (time-mean) speed that detectors report overstates it, the more so the more speeds vary —
 *       exactly in congestion.
 *   <li>Flow (vehicles/hour) comes from loop detectors only (probes are a sample of the fleet):
 *       counted vehicles over counted seconds, so two detectors on one segment average.
 *   <li>TTI = free-flow speed / space-mean speed, clamped to [1, 10]; level: TTI &lt; 1.5 smooth
 *       (0), &lt; 1.8 slow (1), &lt; 2.0 congested (2), else severe (3).
 *   <li>District TTI: mean of segment TTIs weighted by vehicle-km (vehicles × segment length;
 *       vehicles = loop counts where the segment has a detector, else probe fixes); district speed:
 *       total vehicle-km over total vehicle-hours; congested km: length of segments at level ≥ 2.
 * </ul>
 */
public final class TrafficIndicators {
  private TrafficIndicators() {}

  /** Speeds below this are taken as this: a stopped vehicle would make the harmonic mean zero. */
  public static final double MIN_SPEED_KMH = 1.0;

  public static double tti(double freeFlowKmh, double speedKmh) {
    return Math.max(1.0, Math.min(10.0, freeFlowKmh / Math.max(MIN_SPEED_KMH, speedKmh)));
  }

  public static int level(double tti) {
    if (tti < 1.5) {
      return 0;
    }
    if (tti < 1.8) {
      return 1;
    }
    return tti < 2.0 ? 2 : 3;
  }

  /** The free-flow speed of a road class, unless the segment says otherwise. */
  public static double freeFlowKmh(String roadClass) {
    return switch (roadClass) {
      case "expressway" -> 80;
      case "arterial" -> 60;
      case "secondary" -> 50;
      default -> 40;
    };
  }

  /** One segment's window from its accumulated readings. */
  public static SegmentTraffic segment(MatchedSegment s, long windowEnd, SegmentAcc acc) {
    // A loop that counted no vehicle in the window saw an empty road: it flows at free-flow speed
    // (TTI 1). Dividing 0 by 0 instead gave NaN, which the store cannot hold and which turned the
    // whole district "severe" through the weighted mean.
    double speed =
        acc.vehicles > 0 && acc.vehicleHoursPerKm > 0
            ? acc.vehicles / acc.vehicleHoursPerKm
            : s.freeFlowKmh();
    Double flow = acc.loopSeconds > 0 ? acc.loopVehicles / acc.loopSeconds * 3600.0 : null;
    Double occupancy = acc.loopSeconds > 0 ? acc.occupancySeconds / acc.loopSeconds : null;
    return new SegmentTraffic(
        s.segmentId(),
        s.district(),
        s.roadClass(),
        s.freeFlowKmh(),
        s.lengthM(),
        s.midLon(),
        s.midLat(),
        windowEnd,
        speed,
        flow,
        occupancy,
        tti(s.freeFlowKmh(), speed),
        acc.samples,
        acc.vehicles);
  }

  /** A district's window from the latest result of each of its segments in that window. */
  public static DistrictTraffic district(
      String district, long windowEnd, Collection<SegmentTraffic> segments) {
    double vehKm = 0;
    double vehHours = 0;
    double weightedTti = 0;
    double congestedKm = 0;
    long samples = 0;
    for (SegmentTraffic s : segments) {
      double km = s.lengthM() / 1000.0;
      double w = s.vehicles() * km;
      samples += s.samples();
      if (!(w > 0) || !Double.isFinite(s.tti())) {
        continue; // no vehicle-km, no weight: an empty segment says nothing about congestion
      }
      vehKm += w;
      vehHours += w / Math.max(MIN_SPEED_KMH, s.speedKmh());
      weightedTti += w * s.tti();
      if (level(s.tti()) >= 2) {
        congestedKm += km;
      }
    }
    double tti = vehKm > 0 ? weightedTti / vehKm : 1.0;
    double speed = vehHours > 0 ? vehKm / vehHours : 0.0;
    return new DistrictTraffic(district, windowEnd, tti, level(tti), speed, congestedKm, samples);
  }
}
