package io.citybrain.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.contract.Measurement;
import io.citybrain.contract.Measurements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The latest indicators the console shows, read from whichever store holds them: one interface, a
 * dialect per store ({@link ConsoleSettings.Dialect}). Each row is a map of contract v1's column
 * names (the measurement's tag, its fields, and {@code timestamp} as ISO-8601 UTC with
 * microseconds, as QuestDB prints it), so the page and the figures never know which store answered.
 */
interface IndicatorReader {

  /**
   * One measurement the console reads: its series tag and the fields it shows, each a column of the
   * measurement's definition in contract v1 (refused at start-up otherwise).
   */
  record Latest(Measurement definition, String tag, List<String> fields) {
    public Latest {
      if (!definition.tags().contains(tag)) {
        throw new IllegalArgumentException(definition + " has no tag " + tag);
      }
      for (String f : fields) {
        if (!definition.fields().contains(f)) {
          throw new IllegalArgumentException(definition + " has no field " + f);
        }
      }
    }

    /** The measurement's name, as the store's table (QuestDB) or measurement (InfluxDB). */
    public String measurement() {
      return definition.name();
    }
  }

  Latest DISTRICTS =
      new Latest(
          Measurements.TRAFFIC_DISTRICT,
          "district",
          List.of("tti", "level", "mean_speed_kmh", "congested_km", "samples"));
  Latest SEGMENTS = new Latest(Measurements.TRAFFIC_SEGMENT, "segment", List.of("tti"));
  Latest PIPELINE =
      new Latest(
          Measurements.PIPELINE,
          "stage",
          List.of("events_in", "events_out", "deadletter", "lag_ms"));
  Latest UTILITY =
      new Latest(Measurements.UTILITY_ZONE, "zone", List.of("meters_reporting", "meters_dark"));

  /** A district's rows over time, for its trend chart. */
  Latest TREND =
      new Latest(Measurements.TRAFFIC_DISTRICT, "district", List.of("tti", "mean_speed_kmh"));

  /**
   * The newest row of each series of {@code m} (of each district, segment, stage), ordered by the
   * tag.
   */
  List<Map<String, Object>> latest(Latest m) throws IOException, InterruptedException;

  /**
   * The rows of {@code m} whose tag is {@code value} within {@code span} before now, oldest first,
   * each with its {@code timestamp}. {@code value} must be checked by the caller (a known id).
   */
  List<Map<String, Object>> history(Latest m, String value, java.time.Duration span)
      throws IOException, InterruptedException;

  static IndicatorReader of(ConsoleSettings.Store store, ObjectMapper json) {
    return switch (store.dialect()) {
      case QUESTDB -> new QuestDbReader(store, json);
      case INFLUXQL -> new InfluxQlReader(store, json);
    };
  }

  /** The {@code Authorization} header the store's settings ask for, or null for an open store. */
  static String authorization(ConsoleSettings.Store store) {
    if (store.token() != null) {
      return "Token " + new String(store.token());
    }
    if (store.user() != null) {
      return "Basic "
          + Base64.getEncoder()
              .encodeToString(
                  (store.user() + ":" + new String(store.password()))
                      .getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }
}
