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

  private Districts() {}

  /** The bundled districts of Hangzhou. */
  public static List<District> hangzhou() {
    try (InputStream in = Districts.class.getResourceAsStream(HANGZHOU_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + HANGZHOU_RESOURCE + " is missing from the classpath");
      }
      return read(in, HANGZHOU_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads districts from a FeatureCollection whose features carry {@code code} (the city's district code; {@link District#CODE}),
   * {@code name}, optionally {@code slug} and {@code center} ([lon, lat]). A feature that breaks
   * these rules, or whose polygon is invalid, is refused with a message naming it.
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
      return new District(code, p.path("name").asText(code), p.path("slug").asText(code), g, lon, lat);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
    }
  }
}
