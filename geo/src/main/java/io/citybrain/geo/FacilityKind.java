package io.citybrain.geo;

/**
 * Kinds of facility the emergency jobs route to. {@code POLICE} came with imported cities (OSM's
 * {@code amenity=police}); the generator places fire stations and hospitals only, so a generated
 * city is what it always was.
 */
public enum FacilityKind {
  FIRE_STATION("fire_station"),
  HOSPITAL("hospital"),
  POLICE("police");

  private final String wireName;

  FacilityKind(String wireName) {
    this.wireName = wireName;
  }

  /** The lower-case name used in GeoJSON properties. */
  public String wireName() {
    return wireName;
  }

  /** The kind with this wire name; refuses unknown names with a message naming them. */
  public static FacilityKind fromWireName(String name) {
    for (FacilityKind k : values()) {
      if (k.wireName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown facility kind '" + name + "' (expected fire_station, hospital or police)");
  }
}
