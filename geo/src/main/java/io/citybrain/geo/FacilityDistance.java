package io.citybrain.geo;

/** A facility and its metric (straight-line) distance from the point asked about. */
public record FacilityDistance(Facility facility, double distanceM) {}
