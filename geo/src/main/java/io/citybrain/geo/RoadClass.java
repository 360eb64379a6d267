package io.citybrain.geo;

/**
 * The class of a road segment and its default free-flow speed (ARCHITECTURE.md, indicator
 * definitions).
 */
public enum RoadClass {
  EXPRESSWAY("expressway", 80),
  ARTERIAL("arterial", 60),
  SECONDARY("secondary", 50),
  LOCAL("local", 40);

  private final String wireName;
  private final double freeFlowKmh;

  RoadClass(String wireName, double freeFlowKmh) {
    this.wireName = wireName;
    this.freeFlowKmh = freeFlowKmh;
  }

  /** The lower-case name used in GeoJSON properties and the {@code road_class} tag. */
  public String wireName() {
    return wireName;
  }

  public double defaultFreeFlowKmh() {
    return freeFlowKmh;
  }

  /** The class with this wire name; refuses unknown names with a message naming them. */
  public static RoadClass fromWireName(String name) {
    for (RoadClass c : values()) {
      if (c.wireName.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown road class '" + name + "' (expected expressway, arterial, secondary or local)");
  }
}
