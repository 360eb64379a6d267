package io.citybrain.geo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/**
 * A whole replacement layer read from GeoJSON: the FeatureCollection {@code ./citybrain city
 * export} writes for that layer (same property names), with an optional top-level {@code "version"}
 * member (a string or number) that says which geography it is. Every feature is checked as {@link
 * Districts#read} checks districts, and a layer is refused as a whole, naming the feature and the
 * problem: a missing or repeated {@code id}, a missing {@code district}, an unknown {@code
 * utility}, or any defect of the boundary {@code Boundaries} refuses. Checks that need the city
 * (the district exists, the area lies in it) are made by {@link CityModel#with(LayerFile)}.
 *
 * <p>Exactly one of {@link #communities()} and {@link #zones()} is non-empty, by {@link #layer()}.
 *
 * @param version the collection's {@code version} member, or null when it has none
 */
public record LayerFile(
    Layer layer,
    String version,
    List<Community> communities,
    List<UtilityZone> zones,
    List<RoadSegment> roads) {

  public LayerFile {
    communities = List.copyOf(communities);
    zones = List.copyOf(zones);
    roads = List.copyOf(roads);
  }

  /** A communities or zones layer. */
  public LayerFile(
      Layer layer, String version, List<Community> communities, List<UtilityZone> zones) {
    this(layer, version, communities, zones, List.of());
  }

  /** How many features the layer has, whatever its kind. */
  public int size() {
    return communities.size() + zones.size() + roads.size();
  }

  /** Reads and checks a layer from GeoJSON bytes (a {@code city.geography} record's value). */
  public static LayerFile read(Layer layer, byte[] geojson, String sourceName) {
    return read(layer, new ByteArrayInputStream(geojson), sourceName);
  }

  /** Reads and checks a layer; {@code sourceName} starts every refusal message. */
  public static LayerFile read(Layer layer, InputStream in, String sourceName) {
    GeoJsonFeatures.Collection c = GeoJsonFeatures.readCollection(in, sourceName);
    if (c.features().isEmpty()) {
      throw new IllegalArgumentException(
          sourceName + " has no features: a " + layer + " layer cannot be empty");
    }
    List<Community> communities = new ArrayList<>();
    List<UtilityZone> zones = new ArrayList<>();
    List<RoadSegment> roads = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < c.features().size(); i++) {
      GeoJsonFeatures.Feature f = c.features().get(i);
      JsonNode p = f.properties();
      String id = p.path("id").asText("");
      String label = sourceName + " feature #" + i + (id.isEmpty() ? "" : " '" + id + "'");
      if (id.isEmpty()) {
        throw new IllegalArgumentException(label + " has no id");
      }
      if (!CityPackage.ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            label + ": an id is 1 to 64 of A-Z a-z 0-9 . _ : - (starting with a letter or digit)");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException(label + " repeats the id of an earlier feature");
      }
      String district = p.path("district").asText("");
      if (district.isEmpty()) {
        throw new IllegalArgumentException(label + " has no district");
      }
      if (layer == Layer.ROADS) {
        roads.add(road(f, id, district, label));
        continue;
      }
      Geometry g = Boundaries.checked(f.geometry(), label);
      if (layer == Layer.COMMUNITIES) {
        communities.add(new Community(id, district, p.path("name").asText(id), polygon(g, label)));
      } else {
        zones.add(new UtilityZone(id, utility(p.path("utility").asText(""), label), district, g));
      }
    }
    return new LayerFile(layer, c.version(), communities, zones, roads);
  }

  /** A road segment; its length is recomputed from the geometry, whatever the file says. */
  private static RoadSegment road(
      GeoJsonFeatures.Feature f, String id, String district, String label) {
    JsonNode p = f.properties();
    if (!(f.geometry() instanceof org.locationtech.jts.geom.LineString line)
        || line.getNumPoints() < 2
        || !Boundaries.inLonLatRange(line)) {
      throw new IllegalArgumentException(
          label + " must be a LineString of two or more lon/lat positions");
    }
    try {
      RoadClass roadClass = RoadClass.fromWireName(p.path("roadClass").asText(""));
      double freeFlow =
          p.path("freeFlowKmh").isNumber()
              ? p.path("freeFlowKmh").asDouble()
              : roadClass.defaultFreeFlowKmh();
      String sourceId = p.hasNonNull("source") ? p.get("source").asText() : null;
      return new RoadSegment(
          id,
          roadClass,
          freeFlow,
          RoadSegment.lengthM(line),
          p.path("oneway").asBoolean(false),
          district,
          line,
          p.path("lanes").asInt(0),
          sourceId);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
    }
  }

  /** A community is one polygon; a repair may have produced a MultiPolygon of one. */
  private static Polygon polygon(Geometry g, String label) {
    if (g instanceof Polygon p) {
      return p;
    }
    if (g instanceof MultiPolygon m && m.getNumGeometries() == 1) {
      return (Polygon) m.getGeometryN(0);
    }
    throw new IllegalArgumentException(
        label
            + " must be one Polygon, not a "
            + g.getGeometryType()
            + " of "
            + g.getNumGeometries()
            + " parts");
  }

  private static Utility utility(String name, String label) {
    for (Utility u : Utility.values()) {
      if (u.wireName().equals(name)) {
        return u;
      }
    }
    throw new IllegalArgumentException(
        label + " has utility '" + name + "'; it must be water, power or gas");
  }
}
