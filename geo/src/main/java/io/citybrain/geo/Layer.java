package io.citybrain.geo;

import java.util.Locale;

/**
 * A layer of the city an operator may replace while the jobs run (docs/geography.md, "Geography
 * that changes while jobs run"); the rest of the model always comes from the city package.
 */
public enum Layer {
  /** Residential communities, as {@code communities.geojson} of {@code ./citybrain city export}. */
  COMMUNITIES("communities"),
  /** Utility zones of every utility, as {@code zones.geojson}. */
  ZONES("zones"),
  /** Road segments (road works, new streets), as {@code roads.geojson}. */
  ROADS("roads");

  private final String wireName;

  Layer(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The name on the wire: the key of a {@code city.geography} record, the CLI's {@code --layer}.
   */
  public String wireName() {
    return wireName;
  }

  /** The layer of a wire name; refuses any other name, listing the valid ones. */
  public static Layer of(String wireName) {
    for (Layer l : values()) {
      if (l.wireName.equals(wireName)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "layer must be communities, zones or roads, got '" + wireName + "'");
  }

  @Override
  public String toString() {
    return wireName.toLowerCase(Locale.ROOT);
  }
}
