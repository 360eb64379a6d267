package io.citybrain.geo;

/** The utility networks that divide the city into zones. */
public enum Utility {
  /** District metered areas of the water network. */
  WATER("water", "w"),
  /** Areas fed by one power feeder. */
  POWER("power", "p"),
  /** Gas pressure zones. */
  GAS("gas", "g");

  private final String wireName;
  private final String idPrefix;

  Utility(String wireName, String idPrefix) {
    this.wireName = wireName;
    this.idPrefix = idPrefix;
  }

  /** The lower-case name used in GeoJSON properties and the {@code utility} tag. */
  public String wireName() {
    return wireName;
  }

  String idPrefix() {
    return idPrefix;
  }
}
