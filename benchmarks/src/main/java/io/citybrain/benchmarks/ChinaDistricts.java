package io.citybrain.benchmarks;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;

/**
 * The 3,198 county-level districts of China, streamed from the shared data set (never committed):
 * {@code ../shared/data/geo/china-districts.geojson.gz} relative to the repository root, or the
 * path in the system property {@code citybrain.china}. Geometries are used as published (the
 * benchmark measures lookups, and every contender sees the same polygons). The parsed polygons are
 * cached in {@code benchmarks/target} so each JMH fork does not parse 142 MB of text again.
 */
final class ChinaDistricts {

  static final String DEFAULT_PATH = "../shared/data/geo/china-districts.geojson.gz";

  /** The subset sizes of the scaling table: Hangzhou's 13 up to the whole country. */
  static final int[] SIZES = {13, 100, 400, 1600, 3198};

  private ChinaDistricts() {}

  /** All districts in a seeded random order, so the first n are spread over the country. */
  static List<Geometry> shuffled() {
    List<Geometry> all = new ArrayList<>(load());
    java.util.Collections.shuffle(all, new java.util.Random(7));
    return all;
  }

  /** As {@link #shuffled()}, or null after printing why when the data set is missing. */
  static List<Geometry> shuffledOrExplain() {
    try {
      return shuffled();
    } catch (IllegalStateException e) {
      System.out.println(e.getMessage());
      return null;
    }
  }

  static List<Geometry> load() {
    Path source = Path.of(System.getProperty("citybrain.china", DEFAULT_PATH));
    if (!Files.isRegularFile(source)) {
      throw new IllegalStateException(
          "SKIPPED: the China districts data set is missing at "
              + source.toAbsolutePath()
              + " (run from the repository root with ../shared/data/geo/ beside it, or pass -Dcitybrain.china=PATH)");
    }
    Path cache = Path.of("benchmarks/target/china-districts.ser");
    try {
      if (Files.isRegularFile(cache)
          && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(source)) > 0) {
        try (ObjectInputStream in =
            new ObjectInputStream(new BufferedInputStream(Files.newInputStream(cache), 1 << 16))) {
          @SuppressWarnings("unchecked")
          List<Geometry> cached = (List<Geometry>) in.readObject();
          return cached;
        } catch (ClassNotFoundException | IOException e) {
          // A stale or broken cache is rebuilt below.
        }
      }
      List<Geometry> out = parse(source);
      if (Files.isDirectory(cache.getParent())) {
        try (ObjectOutputStream o = new ObjectOutputStream(Files.newOutputStream(cache))) {
          o.writeObject(new ArrayList<>(out));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Geometry> parse(Path source) throws IOException {
    ObjectMapper json = new ObjectMapper();
    GeoJsonReader reader = new GeoJsonReader(new GeometryFactory(new PrecisionModel(), 4326));
    List<Geometry> out = new ArrayList<>();
    try (InputStream in =
            new GZIPInputStream(
                new BufferedInputStream(Files.newInputStream(source), 1 << 16), 1 << 16);
        JsonParser p = json.getFactory().createParser(in)) {
      while (p.nextToken() != null) {
        if (p.currentToken() == JsonToken.FIELD_NAME && "features".equals(p.currentName())) {
          p.nextToken();
          while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode feature = json.readTree(p);
            try {
              Geometry g = reader.read(feature.path("geometry").toString());
              if (g instanceof Polygonal && !g.isEmpty()) {
                out.add(g);
              }
            } catch (ParseException e) {
              throw new IllegalStateException(
                  "unreadable feature " + feature.path("properties"), e);
            }
          }
        }
      }
    }
    return out;
  }
}
