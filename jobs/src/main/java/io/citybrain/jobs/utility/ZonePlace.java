package io.citybrain.jobs.utility;

import java.io.Serializable;

/**
 * The utility zone a meter belongs to, and the district (six-digit code) the zone is reported in.
 */
public record ZonePlace(String zone, String district) implements Serializable {}
