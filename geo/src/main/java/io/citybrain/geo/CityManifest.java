package io.citybrain.geo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code city.json}, the manifest of a city package: what the city is called, where its clock is,
 * where the map opens, how its districts are coded, and for every layer its file, source and
 * licence. Everything about a city that is not geometry lives here, so that no part of citybrain
 * carries a city's constants in code (docs/geography.md, "The city package", field by field).
 *
 * @param format the package format version; {@value #FORMAT} today
 * @param id a short name for the city, in the district code character set ({@link District#CODE})
 * @param name the city's names, {@code en} required, {@code zh} and others optional
 * @param timeZone an IANA zone id ({@code Asia/Shanghai}); local-time rules (the night-flow window)
 *     use it
 * @param view where the console's map opens
 * @param districtCodes the scheme of the district codes and the pattern each must match
 * @param generated how the generated layers were made (null when nothing was generated)
 * @param layers each of {@link CityPackage#LAYERS}: its file in the package, source and licence
 * @param simulation where the simulators put most devices and the scenarios' incidents (null: every
 *     district, and the district with the most road segments)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CityManifest(
    int format,
    String id,
    Map<String, String> name,
    String timeZone,
    View view,
    CodeScheme districtCodes,
    Generated generated,
    Map<String, LayerSource> layers,
    Simulation simulation) {

  public static final int FORMAT = 1;
  public static final String FILE = "city.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The map's opening view: a centre and a Leaflet/slippy-map zoom level (0-22). */
  public record View(double lon, double lat, int zoom) {}

  /** The district code scheme, e.g. {@code GB/T 2260} with pattern {@code \d{6}}. */
  public record CodeScheme(String scheme, String pattern) {}

  /** A generated layer's recipe: the seed and which layers came from it. */
  public record Generated(long seed, List<String> layers) {}

  /** One layer: its file in the package, where its data came from, and under which licence. */
  public record LayerSource(String file, String source, String licence) {}

  /**
   * The districts where simulated devices concentrate, and the one where scenarios stage their
   * incidents.
   */
  public record Simulation(List<String> focusDistricts, String scenarioDistrict) {}

  /** A manifest without simulation hints. */
  public CityManifest(
      int format,
      String id,
      Map<String, String> name,
      String timeZone,
      View view,
      CodeScheme districtCodes,
      Generated generated,
      Map<String, LayerSource> layers) {
    this(format, id, name, timeZone, view, districtCodes, generated, layers, null);
  }

  public CityManifest {
    name = name == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(name));
    layers =
        layers == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(layers));
  }

  /** The English name, which every manifest has. */
  public String englishName() {
    return name.get("en");
  }

  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  /**
   * Refuses, naming {@code source} and the field, a manifest a city cannot run on: another format,
   * a missing English name, an unknown time zone, a view outside lon/lat range, a code pattern that
   * is not a regular expression, a layer missing or named twice, a layer file outside the package.
   */
  public CityManifest checked(String source) {
    String at = source + ": ";
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          at + "format " + format + " is not supported (this build reads format " + FORMAT + ")");
    }
    if (id == null || !District.CODE.matcher(id).matches()) {
      throw new IllegalArgumentException(
          at + "id '" + id + "' must be 1 to 32 of A-Z a-z 0-9 . _ -");
    }
    if (englishName() == null || englishName().isBlank()) {
      throw new IllegalArgumentException(
          at
              + "name.en is missing: every city has an English name (name.zh and others are optional)");
    }
    if (timeZone == null) {
      throw new IllegalArgumentException(
          at + "timeZone is missing (an IANA zone id such as Asia/Shanghai)");
    }
    try {
      ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          at
              + "timeZone '"
              + timeZone
              + "' is not a known time zone (an IANA zone id such as Asia/Shanghai)");
    }
    if (view == null
        || !(Math.abs(view.lon()) <= 180)
        || !(Math.abs(view.lat()) <= 90)
        || view.zoom() < 0
        || view.zoom() > 22) {
      throw new IllegalArgumentException(
          at
              + "view "
              + view
              + " must have lon in [-180, 180], lat in [-90, 90] and zoom in [0, 22]");
    }
    if (districtCodes == null || districtCodes.pattern() == null) {
      throw new IllegalArgumentException(
          at
              + "districtCodes.pattern is missing (a regular expression every district code matches)");
    }
    try {
      Pattern.compile(districtCodes.pattern());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          at
              + "districtCodes.pattern '"
              + districtCodes.pattern()
              + "' is not a regular expression: "
              + e.getDescription());
    }
    for (String layer : CityPackage.LAYERS) {
      LayerSource s = layers.get(layer);
      if (s == null || s.file() == null || s.file().isBlank()) {
        throw new IllegalArgumentException(at + "layers." + layer + ".file is missing");
      }
      if (!s.file().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException(
            at
                + "layers."
                + layer
                + ".file '"
                + s.file()
                + "' must be a plain file name inside the package");
      }
      if (s.source() == null || s.licence() == null) {
        throw new IllegalArgumentException(
            at + "layers." + layer + " needs its source and licence (keep every attribution)");
      }
    }
    for (String layer : layers.keySet()) {
      if (!CityPackage.LAYERS.contains(layer)) {
        throw new IllegalArgumentException(
            at + "layers." + layer + " is not a layer of a city package " + CityPackage.LAYERS);
      }
    }
    return this;
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a city manifest", e);
    }
  }

  /** Reads and checks a manifest; every refusal names {@code source}. */
  public static CityManifest read(byte[] json, String source) {
    CityManifest m;
    try {
      m = JSON.readValue(json, CityManifest.class);
    } catch (IOException e) {
      String why =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getOriginalMessage()
              : e.getMessage();
      throw new IllegalArgumentException(source + " is not a city manifest: " + why, e);
    }
    if (m == null) {
      throw new IllegalArgumentException(source + " is empty");
    }
    return m.checked(source);
  }
}
