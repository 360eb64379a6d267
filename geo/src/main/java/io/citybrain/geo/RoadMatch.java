package io.citybrain.geo;

/**
 * A probe position matched to a road segment: the segment, the metric distance from the position to
 * it, and whether the vehicle travels against the direction of the segment's geometry (possible
 * only on two-way segments).
 */
public record RoadMatch(RoadSegment segment, double distanceM, boolean againstGeometry) {}
