package io.citybrain.geo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * Reads a GeoJSON FeatureCollection into features. JTS's own reader keeps only the geometries, so
 * Jackson walks the collection and JTS parses each geometry.
 */
final class GeoJsonFeatures {

  /** One feature: its geometry and its properties object. */
  record Feature(Geometry geometry, JsonNode properties) {}

  static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);
  private static final ObjectMapper JSON = new ObjectMapper();

  private GeoJsonFeatures() {}

  static List<Feature> read(InputStream in, String sourceName) {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read GeoJSON from " + sourceName, e);
    }
    if (root == null || !"FeatureCollection".equals(root.path("type").asText())) {
      throw new IllegalArgumentException(sourceName + " is not a GeoJSON FeatureCollection");
    }
    GeoJsonReader reader = new GeoJsonReader(WGS84);
    List<Feature> out = new ArrayList<>();
    int index = 0;
    for (JsonNode feature : root.path("features")) {
      String label = label(sourceName, index++, feature.path("properties"));
      JsonNode geometry = feature.get("geometry");
      if (geometry == null || geometry.isNull()) {
        throw new IllegalArgumentException(label + " has no geometry");
      }
      checkRings(geometry, label);
      try {
        out.add(new Feature(reader.read(geometry.toString()), feature.path("properties")));
      } catch (ParseException | RuntimeException e) {
        throw new IllegalArgumentException(label + " has an unreadable geometry: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Names a feature by its position and, when it has one, its {@code code} or {@code id}. */
  private static String label(String sourceName, int index, JsonNode properties) {
    String name = properties.path("code").asText(properties.path("id").asText(""));
    return sourceName + " feature #" + index + (name.isEmpty() ? "" : " '" + name + "'");
  }

  /**
   * Refuses rings JTS would reject with a less helpful message, or silently accept: a ring that is
   * not closed (GeoJSON requires the last position to repeat the first) or has fewer than four positions.
   */
  private static void checkRings(JsonNode geometry, String label) {
    String type = geometry.path("type").asText();
    JsonNode coordinates = geometry.path("coordinates");
    if ("Polygon".equals(type)) {
      checkPolygon(coordinates, label, "");
    } else if ("MultiPolygon".equals(type)) {
      for (int p = 0; p < coordinates.size(); p++) {
        checkPolygon(coordinates.get(p), label, "polygon " + (p + 1) + ", ");
      }
    }
  }

  private static void checkPolygon(JsonNode rings, String label, String where) {
    for (int r = 0; r < rings.size(); r++) {
      JsonNode ring = rings.get(r);
      String name = where + (r == 0 ? "exterior ring" : "hole " + r);
      if (ring.size() == 0) {
        continue;
      }
      if (ring.size() < 4) {
        throw new IllegalArgumentException(label + ": " + name + " has " + ring.size() + " positions; a ring needs at least 4");
      }
      JsonNode first = ring.get(0);
      JsonNode last = ring.get(ring.size() - 1);
      if (first.path(0).asDouble() != last.path(0).asDouble() || first.path(1).asDouble() != last.path(1).asDouble()) {
        throw new IllegalArgumentException(label + ": " + name + " is not closed (starts at " + first + ", ends at " + last + ")");
      }
    }
  }
}
