package io.citybrain.jobs.traffic;

import io.citybrain.jobs.common.KafkaEvent;

/** A decoded traffic reading before it is matched to a segment; loops have no heading. */
public record ProbeFix(
    String deviceId,
    String kind,
    long ts,
    double lon,
    double lat,
    double speedKmh,
    Double headingDeg,
    double count,
    double intervalS,
    double occupancy,
    KafkaEvent event) {}
