package io.citybrain.embedded;

import io.citybrain.contract.Measurement;
import io.citybrain.contract.Measurements;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The time-series measurements of contract v1 as QuestDB tables. Tags are SYMBOL columns; the
 * deduplication keys are the window-end timestamp and the tags, so QuestDB upserts like InfluxDB
 * overwrites a point with the same series and time. QuestDB replaces the whole row where InfluxDB
 * merges fields, which is why every writer sends every field of a point in one line.
 *
 * <p>Integer fields are LONG (influxdb-client-java writes them with the {@code i} suffix); the rest
 * are DOUBLE or VARCHAR. A field written with another type is refused by the store (HTTP 400).
 */
public final class QuestDbSchema {
  private QuestDbSchema() {}

  /** One {@code CREATE TABLE} per measurement of contract v1, made from its definition. */
  public static final List<String> CREATE_TABLES =
      Measurements.ALL.stream().map(QuestDbSchema::createTable).toList();

  static String createTable(Measurement m) {
    String columns =
        m.columns().stream()
            .map(c -> c.name() + " " + (c.tag() ? "SYMBOL" : type(c.type())))
            .collect(Collectors.joining(", "));
    return "CREATE TABLE IF NOT EXISTS "
        + m.name()
        + " ("
        + columns
        + ", timestamp TIMESTAMP) "
        + "TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, "
        + String.join(", ", m.deduplicationKeys())
        + ")";
  }

  private static String type(Measurement.Type t) {
    return switch (t) {
      case DOUBLE -> "DOUBLE";
      case LONG -> "LONG";
      case STRING -> "VARCHAR";
    };
  }
}
