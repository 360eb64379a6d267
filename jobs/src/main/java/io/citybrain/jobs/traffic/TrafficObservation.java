package io.citybrain.jobs.traffic;

/**
 * A reading placed on its segment.
 *
 * @param vehicles vehicles the reading stands for: a loop's count, 1 for a probe fix
 * @param intervalS a loop's counting interval; 0 for a probe
 * @param raw the original record, so that data too late for its window becomes a dead letter intact
 */
public record TrafficObservation(
    String deviceId,
    MatchedSegment segment,
    long ts,
    double speedKmh,
    double vehicles,
    double intervalS,
    double occupancy,
    String topic,
    byte[] raw) {}
