package io.citybrain.jobs.traffic;

/**
 * One row of {@code traffic_segment}: one segment, one one-minute window.
 *
 * @param flowVph null when no loop detector counted on the segment
 * @param occupancy null likewise
 * @param vehicles vehicles behind the figures (the district's weights)
 */
public record SegmentTraffic(
    String segment,
    String district,
    String roadClass,
    double freeFlowKmh,
    double lengthM,
    double midLon,
    double midLat,
    long windowEnd,
    double speedKmh,
    Double flowVph,
    Double occupancy,
    double tti,
    long samples,
    double vehicles) {}
