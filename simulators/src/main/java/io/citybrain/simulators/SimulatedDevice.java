package io.citybrain.simulators;

/**
 * A device of the simulated fleet. Probes move, so their position is mutable; everything else is
 * fixed at creation.
 */
final class SimulatedDevice {
  final String id;
  final String kind;
  final String district;
  double lon;
  double lat;
  double headingDeg;

  SimulatedDevice(String id, String kind, String district, double lon, double lat, double headingDeg) {
    this.id = id;
    this.kind = kind;
    this.district = district;
    this.lon = lon;
    this.lat = lat;
    this.headingDeg = headingDeg;
  }
}
