package io.citybrain.geo;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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

  /** The features of a collection and its top-level {@code version} member (null when absent). */
  record Collection(List<Feature> features, String version) {}

  static final GeometryFactory WGS84 = new GeometryFactory(new PrecisionModel(), 4326);
  // Coordinates are most of a layer's bytes: the fast parser takes a third of the time of the JDK's
  // for them.
  private static final ObjectMapper JSON =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
              .build());

  private GeoJsonFeatures() {}

  /**
   * Reads the collection feature by feature from the stream (a country's districts are 142 MB of
   * text; only one feature is held as a tree at a time). Refuses anything but a FeatureCollection.
   */
  static List<Feature> read(InputStream in, String sourceName) {
    return read(in, sourceName, null);
  }

  /**
   * As {@link #read(InputStream, String)}, but a bad feature is reported to {@code refused} and
   * skipped when it is not null.
   */
  static List<Feature> read(InputStream in, String sourceName, Consumer<String> refused) {
    return readCollection(in, sourceName, refused).features();
  }

  /** As {@link #read(InputStream, String)}, keeping the collection's {@code version} member too. */
  static Collection readCollection(InputStream in, String sourceName) {
    return readCollection(in, sourceName, null);
  }

  private static Collection readCollection(
      InputStream in, String sourceName, Consumer<String> refused) {
    GeoJsonReader reader = new GeoJsonReader(WGS84);
    List<Feature> out = new ArrayList<>();
    String type = null;
    String version = null;
    try (JsonParser p = JSON.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(sourceName + " is not a GeoJSON FeatureCollection");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("type".equals(field)) {
          type = p.getValueAsString();
        } else if ("version".equals(field) && value.isScalarValue()) {
          version = p.getValueAsString();
        } else if ("features".equals(field) && value == JsonToken.START_ARRAY) {
          int index = 0;
          while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode feature = JSON.readTree(p);
            try {
              out.add(
                  feature(reader, feature, label(sourceName, index++, feature.path("properties"))));
            } catch (IllegalArgumentException e) {
              if (refused == null) {
                throw e;
              }
              refused.accept(e.getMessage());
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read GeoJSON from " + sourceName, e);
    }
    if (!"FeatureCollection".equals(type)) {
      throw new IllegalArgumentException(sourceName + " is not a GeoJSON FeatureCollection");
    }
    return new Collection(out, version);
  }

  private static Feature feature(GeoJsonReader reader, JsonNode feature, String label) {
    JsonNode geometry = feature.get("geometry");
    if (geometry == null || geometry.isNull()) {
      throw new IllegalArgumentException(label + " has no geometry");
    }
    checkRings(geometry, label);
    try {
      Geometry direct = direct(geometry);
      return new Feature(
          direct != null ? direct : reader.read(geometry.toString()), feature.path("properties"));
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException(
          label + " has an unreadable geometry: " + e.getMessage(), e);
    }
  }

  /**
   * The common geometry types straight from Jackson's tree: JTS's reader would take the tree
   * printed back to text and parse it again with its own JSON parser, which was 80% of reading a
   * city of 100,000 roads and 200,000 buildings. Null for the other types, which JTS's reader
   * takes.
   */
  private static Geometry direct(JsonNode g) {
    JsonNode c = g.get("coordinates");
    if (c == null || !c.isArray()) {
      return null;
    }
    return switch (g.path("type").asText()) {
      case "Point" -> WGS84.createPoint(coordinate(c));
      case "LineString" -> WGS84.createLineString(coordinates(c));
      case "Polygon" -> polygon(c);
      case "MultiPolygon" -> {
        org.locationtech.jts.geom.Polygon[] parts = new org.locationtech.jts.geom.Polygon[c.size()];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = polygon(c.get(i));
        }
        yield WGS84.createMultiPolygon(parts);
      }
      case "MultiLineString" -> {
        org.locationtech.jts.geom.LineString[] parts =
            new org.locationtech.jts.geom.LineString[c.size()];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = WGS84.createLineString(coordinates(c.get(i)));
        }
        yield WGS84.createMultiLineString(parts);
      }
      default -> null;
    };
  }

  private static org.locationtech.jts.geom.Polygon polygon(JsonNode rings) {
    if (rings.size() == 0) {
      return WGS84.createPolygon();
    }
    org.locationtech.jts.geom.LinearRing shell = WGS84.createLinearRing(coordinates(rings.get(0)));
    org.locationtech.jts.geom.LinearRing[] holes =
        new org.locationtech.jts.geom.LinearRing[rings.size() - 1];
    for (int i = 1; i < rings.size(); i++) {
      holes[i - 1] = WGS84.createLinearRing(coordinates(rings.get(i)));
    }
    return WGS84.createPolygon(shell, holes);
  }

  private static org.locationtech.jts.geom.Coordinate[] coordinates(JsonNode positions) {
    org.locationtech.jts.geom.Coordinate[] out =
        new org.locationtech.jts.geom.Coordinate[positions.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = coordinate(positions.get(i));
    }
    return out;
  }

  private static org.locationtech.jts.geom.Coordinate coordinate(JsonNode position) {
    if (!position.isArray()
        || position.size() < 2
        || !position.get(0).isNumber()
        || !position.get(1).isNumber()) {
      throw new IllegalArgumentException("a position must be [lon, lat] numbers, got " + position);
    }
    return new org.locationtech.jts.geom.Coordinate(
        position.get(0).doubleValue(), position.get(1).doubleValue());
  }

  /** Names a feature by its position and, when it has one, its {@code code} or {@code id}. */
  private static String label(String sourceName, int index, JsonNode properties) {
    String name = properties.path("code").asText(properties.path("id").asText(""));
    return sourceName + " feature #" + index + (name.isEmpty() ? "" : " '" + name + "'");
  }

  /**
   * Refuses rings JTS would reject with a less helpful message, or silently accept: a ring that is
   * not closed (GeoJSON requires the last position to repeat the first) or has fewer than four
   * positions.
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
        throw new IllegalArgumentException(
            label + ": " + name + " has " + ring.size() + " positions; a ring needs at least 4");
      }
      JsonNode first = ring.get(0);
      JsonNode last = ring.get(ring.size() - 1);
      if (first.path(0).asDouble() != last.path(0).asDouble()
          || first.path(1).asDouble() != last.path(1).asDouble()) {
        throw new IllegalArgumentException(
            label + ": " + name + " is not closed (starts at " + first + ", ends at " + last + ")");
      }
    }
  }
}
