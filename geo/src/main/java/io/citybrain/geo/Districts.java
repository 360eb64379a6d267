package io.citybrain.geo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
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
   * Reads districts from a FeatureCollection whose features carry {@code code} (six digits),
   * {@code name}, optionally {@code slug} and {@code center} ([lon, lat]). A feature that breaks
   * these rules, or whose polygon is invalid, is refused with a message naming it.
   */
  public static List<District> read(InputStream in, String sourceName) {
    List<District> out = new ArrayList<>();
    for (GeoJsonFeatures.Feature f : GeoJsonFeatures.read(in, sourceName)) {
      JsonNode p = f.properties();
      String code = p.path("code").asText("");
      String label = sourceName + " district '" + code + "'";
      Geometry g = Boundaries.checked(f.geometry(), label);
      JsonNode center = p.path("center");
      double lon = center.isArray() ? center.get(0).asDouble() : g.getInteriorPoint().getX();
      double lat = center.isArray() ? center.get(1).asDouble() : g.getInteriorPoint().getY();
      try {
        out.add(new District(code, p.path("name").asText(code), p.path("slug").asText(code), g, lon, lat));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(label + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }
}
