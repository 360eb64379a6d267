package io.citybrain.jobs.emergency;

import java.io.Serializable;

/**
 * Where a device is, in the terms alerts are routed by.
 *
 * @param community the community's id, or null outside every community
 * @param building the building's id, or null when the position is in no known building
 */
public record Place(String district, String community, String building) implements Serializable {}
