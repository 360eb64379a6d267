package io.citybrain.jobs.traffic;

import java.io.Serializable;

/**
 * The road segment a reading was matched to, with what the indicators need of it.
 *
 * @param midLon where alerts about the segment are placed (its midpoint)
 */
public record MatchedSegment(
    String segmentId,
    String district,
    String roadClass,
    double freeFlowKmh,
    double lengthM,
    double midLon,
    double midLat)
    implements Serializable {}
