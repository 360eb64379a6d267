package io.citybrain.jobs.traffic;

import io.citybrain.jobs.common.KafkaCoordinate;

/**
 * A reading placed on its segment.
 *
 * @param vehicles vehicles the reading stands for: a loop's count, 1 for a probe fix
 * @param intervalS a loop's counting interval; 0 for a probe
 * @param origin where the reading's record is in Kafka, which a dead letter of data too late for
 *     its window names
 */
public record TrafficObservation(
    String deviceId,
    MatchedSegment segment,
    long ts,
    double speedKmh,
    double vehicles,
    double intervalS,
    double occupancy,
    KafkaCoordinate origin) {}
