package io.citybrain.geo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.locationtech.jts.geom.Geometry;

/** Loads district boundaries from GeoJSON. */
public final class Districts {

  /**
   * The 13 county-level districts of Hangzhou (division before 2021), bundled with this module.
   * Source and licence: {@code hangzhou-districts.LICENSE} beside the data, and the README.
   */
  public static final String HANGZHOU_RESOURCE = "hangzhou-districts.geojson";

  /**
   * The 3,198 county-level districts of 343 Chinese prefectures (same source and licence as
   * Hangzhou's, {@code china-districts.LICENSE}), each prefecture's districts simplified together
   * as a coverage with a 0.005° (about 500 m) Visvalingam–Whyatt tolerance, so neighbours still
   * share one border; made by the test-scope tool {@code ChinaDistrictsResource}. Properties {@code
   * code}, {@code name}, {@code prefecture} (the code's first four digits), {@code prefectureName}
   * (pinyin).
   */
  public static final String CHINA_RESOURCE = "china-districts.geojson.gz";

  /** A prefecture's districts and its name in pinyin. */
  public record Prefecture(String code, String name, List<District> districts) {}

  private Districts() {}

  /**
   * The districts of the Chinese prefecture {@code code} (four digits, the first four of its
   * districts' GB/T 2260 codes: 2101 Shenyang, 3301 Hangzhou), from {@link #CHINA_RESOURCE}.
   */
  public static Prefecture chinaPrefecture(String code) {
    if (code == null || !code.matches("\\d{4}")) {
      throw new IllegalArgumentException(
          "a prefecture code is four digits (2101 Shenyang, 3301 Hangzhou), got '" + code + "'");
    }
    try (InputStream raw = Districts.class.getResourceAsStream(CHINA_RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException(
            "resource " + CHINA_RESOURCE + " is missing from the classpath");
      }
      List<District> out = new ArrayList<>();
      String name = null;
      for (GeoJsonFeatures.Feature f :
          GeoJsonFeatures.read(new java.util.zip.GZIPInputStream(raw), CHINA_RESOURCE)) {
        if (code.equals(f.properties().path("prefecture").asText())) {
          out.add(district(f, CHINA_RESOURCE));
          name = f.properties().path("prefectureName").asText(code);
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException(
            "no prefecture "
                + code
                + " among the bundled districts of China (codes such as 2101 "
                + "Shenyang, 3301 Hangzhou, 4401 Guangzhou; the first four digits of a district's GB/T 2260 code)");
      }
      return new Prefecture(code, name, List.copyOf(out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bundled districts of Hangzhou. */
  public static List<District> hangzhou() {
    try (InputStream in = Districts.class.getResourceAsStream(HANGZHOU_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + HANGZHOU_RESOURCE + " is missing from the classpath");
      }
      return read(in, HANGZHOU_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads districts from a FeatureCollection whose features carry {@code code} (the city's district
   * code; {@link District#CODE}), {@code name}, optionally {@code slug} and {@code center} ([lon,
   * lat]). A feature that breaks these rules, or whose polygon is invalid, is refused with a
   * message naming it.
   */
  public static List<District> read(InputStream in, String sourceName) {
    return read(in, sourceName, null);
  }

  /**
   * As {@link #read(InputStream, String)}, but when {@code refused} is not null a feature that
   * breaks the rules is skipped and its message handed to {@code refused} instead of failing the
   * whole file (for bulk data of uneven quality, such as a whole country's districts).
   */
  public static List<District> read(InputStream in, String sourceName, Consumer<String> refused) {
    List<District> out = new ArrayList<>();
    for (GeoJsonFeatures.Feature f : GeoJsonFeatures.read(in, sourceName, refused)) {
      try {
        out.add(district(f, sourceName));
      } catch (IllegalArgumentException e) {
        if (refused == null) {
          throw e;
        }
        refused.accept(e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private static District district(GeoJsonFeatures.Feature f, String sourceName) {
    JsonNode p = f.properties();
    String code = p.path("code").asText("");
    String label = sourceName + " district '" + code + "'";
    Geometry g = Boundaries.checked(f.geometry(), label);
    JsonNode center = p.path("center");
    double lon = center.isArray() ? center.get(0).asDouble() : g.getInteriorPoint().getX();
    double lat = center.isArray() ? center.get(1).asDouble() : g.getInteriorPoint().getY();
    try {
      return new District(
          code, p.path("name").asText(code), p.path("slug").asText(code), g, lon, lat);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
    }
  }
}
