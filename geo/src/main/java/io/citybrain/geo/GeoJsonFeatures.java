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
      String label = sourceName + " feature #" + index++;
      JsonNode geometry = feature.get("geometry");
      if (geometry == null || geometry.isNull()) {
        throw new IllegalArgumentException(label + " has no geometry");
      }
      try {
        out.add(new Feature(reader.read(geometry.toString()), feature.path("properties")));
      } catch (ParseException | RuntimeException e) {
        throw new IllegalArgumentException(label + " has an unreadable geometry: " + e.getMessage(), e);
      }
    }
    return out;
  }
}
