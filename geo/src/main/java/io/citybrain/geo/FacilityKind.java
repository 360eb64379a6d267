package io.citybrain.geo;

/** Kinds of facility the emergency jobs route to. */
public enum FacilityKind {
  FIRE_STATION("fire_station"),
  HOSPITAL("hospital");

  private final String wireName;

  FacilityKind(String wireName) {
    this.wireName = wireName;
  }

  /** The lower-case name used in GeoJSON properties. */
  public String wireName() {
    return wireName;
  }
}
