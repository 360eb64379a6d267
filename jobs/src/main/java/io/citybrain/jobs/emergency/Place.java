package io.citybrain.jobs.emergency;

import java.io.Serializable;

/**
 * Where a device is, in the terms alerts are routed by.
 *
 * @param community the community's id, or null outside every community
 * @param building the building's id, or null when the position is in no known building
 * @param fireStation the nearest fire station's name, or null when unknown
 * @param fireStationM its straight-line distance in metres (NaN when unknown)
 */
public record Place(
    String district, String community, String building, String fireStation, double fireStationM)
    implements Serializable {

  public Place(String district, String community, String building) {
    this(district, community, building, null, Double.NaN);
  }
}
