package io.citybrain.geo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/**
 * Writes the city as GeoJSON FeatureCollections (one file per feature type) that QGIS or kepler.gl
 * open directly. Property names: districts {@code code name slug center}; communities {@code id
 * district name}; roads {@code id roadClass freeFlowKmh lengthM oneway district}, and {@code lanes
 * source} where known; buildings {@code id community}; zones {@code id utility district};
 * facilities {@code id kind name district}. Output is a pure function of the model, so one seed
 * gives identical bytes.
 */
public final class CityGeoJson {

  /** The files {@link #export} produces, in order. */
  public static final List<String> FILES =
      List.of(
          "districts.geojson",
          "communities.geojson",
          "roads.geojson",
          "buildings.geojson",
          "zones.geojson",
          "facilities.geojson");

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();

  private CityGeoJson() {}

  /** The content of every file, by file name, in the order of {@link #FILES}. */
  public static Map<String, byte[]> export(CityModel city) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(
        "districts.geojson",
        collection(
            city.districts(),
            (g, d) -> {
              g.writeStringField("code", d.code());
              g.writeStringField("name", d.name());
              g.writeStringField("slug", d.slug());
              g.writeArrayFieldStart("center");
              g.writeNumber(d.centerLon());
              g.writeNumber(d.centerLat());
              g.writeEndArray();
            },
            District::boundary));
    out.put("communities.geojson", communities(city.communities(), null));
    out.put("roads.geojson", roads(city.roads()));
    out.put(
        "buildings.geojson",
        collection(
            city.buildings(),
            (g, b) -> {
              g.writeStringField("id", b.id());
              g.writeStringField("community", b.communityId());
            },
            Building::footprint));
    out.put("zones.geojson", zones(city.zones(), null));
    out.put(
        "facilities.geojson",
        collection(
            city.facilities(),
            (g, f) -> {
              g.writeStringField("id", f.id());
              g.writeStringField("kind", f.kind().wireName());
              g.writeStringField("name", f.name());
              g.writeStringField("district", f.districtCode());
            },
            f -> GeoJsonFeatures.WGS84.createPoint(new Coordinate(f.lon(), f.lat()))));
    return out;
  }

  /**
   * A communities layer as {@code communities.geojson}, with a top-level {@code "version"} member
   * when {@code version} is not null: what {@link LayerFile#read} reads back.
   */
  public static byte[] communities(List<Community> communities, String version) {
    return collection(
        communities,
        (g, c) -> {
          g.writeStringField("id", c.id());
          g.writeStringField("district", c.districtCode());
          g.writeStringField("name", c.name());
        },
        Community::boundary,
        version);
  }

  /**
   * A roads layer as {@code roads.geojson}: what {@code city publish --layer roads} and {@link
   * LayerFile#read} read.
   */
  public static byte[] roads(List<RoadSegment> roads) {
    return collection(
        roads,
        (g, r) -> {
          g.writeStringField("id", r.id());
          g.writeStringField("roadClass", r.roadClass().wireName());
          g.writeNumberField("freeFlowKmh", r.freeFlowKmh());
          g.writeNumberField("lengthM", Math.round(r.lengthM() * 10) / 10.0);
          g.writeBooleanField("oneway", r.oneway());
          g.writeStringField("district", r.districtCode());
          if (r.lanes() > 0) {
            g.writeNumberField("lanes", r.lanes());
          }
          if (r.sourceId() != null) {
            g.writeStringField("source", r.sourceId());
          }
        },
        RoadSegment::geometry);
  }

  /**
   * A zones layer as {@code zones.geojson}, with a {@code "version"} member when it is not null.
   */
  public static byte[] zones(List<UtilityZone> zones, String version) {
    return collection(
        zones,
        (g, z) -> {
          g.writeStringField("id", z.id());
          g.writeStringField("utility", z.utility().wireName());
          g.writeStringField("district", z.districtCode());
        },
        UtilityZone::boundary,
        version);
  }

  private interface Properties<T> {
    void write(JsonGenerator g, T feature) throws IOException;
  }

  private static <T> byte[] collection(
      List<T> features,
      Properties<T> properties,
      java.util.function.Function<T, Geometry> geometry) {
    return collection(features, properties, geometry, null);
  }

  private static <T> byte[] collection(
      List<T> features,
      Properties<T> properties,
      java.util.function.Function<T, Geometry> geometry,
      String version) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("type", "FeatureCollection");
      if (version != null) {
        g.writeStringField("version", version);
      }
      g.writeArrayFieldStart("features");
      for (T f : features) {
        g.writeRaw('\n');
        g.writeStartObject();
        g.writeStringField("type", "Feature");
        g.writeObjectFieldStart("properties");
        properties.write(g, f);
        g.writeEndObject();
        g.writeFieldName("geometry");
        writeGeometry(g, geometry.apply(f));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeGeometry(JsonGenerator g, Geometry geom) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", geom.getGeometryType());
    g.writeFieldName("coordinates");
    if (geom instanceof MultiPolygon) {
      g.writeStartArray();
      for (int i = 0; i < geom.getNumGeometries(); i++) {
        writePolygon(g, (Polygon) geom.getGeometryN(i));
      }
      g.writeEndArray();
    } else if (geom instanceof Polygon) {
      writePolygon(g, (Polygon) geom);
    } else if (geom instanceof LineString) {
      writeCoordinates(g, geom.getCoordinates());
    } else {
      writeCoordinate(g, geom.getCoordinate());
    }
    g.writeEndObject();
  }

  private static void writePolygon(JsonGenerator g, Polygon p) throws IOException {
    g.writeStartArray();
    writeCoordinates(g, p.getExteriorRing().getCoordinates());
    for (int h = 0; h < p.getNumInteriorRing(); h++) {
      writeCoordinates(g, p.getInteriorRingN(h).getCoordinates());
    }
    g.writeEndArray();
  }

  private static void writeCoordinates(JsonGenerator g, Coordinate[] cs) throws IOException {
    g.writeStartArray();
    for (Coordinate c : cs) {
      writeCoordinate(g, c);
    }
    g.writeEndArray();
  }

  private static void writeCoordinate(JsonGenerator g, Coordinate c) throws IOException {
    g.writeStartArray();
    g.writeNumber(c.x);
    g.writeNumber(c.y);
    g.writeEndArray();
  }
}
