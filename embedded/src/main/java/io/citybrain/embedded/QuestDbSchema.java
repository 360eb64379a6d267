package io.citybrain.embedded;

import java.util.List;

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

  private static String table(String name, String columns, String keys) {
    return "CREATE TABLE IF NOT EXISTS "
        + name
        + " ("
        + columns
        + ", timestamp TIMESTAMP) "
        + "TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, "
        + keys
        + ")";
  }

  public static final List<String> CREATE_TABLES =
      List.of(
          table(
              "traffic_segment",
              "segment SYMBOL, district SYMBOL, road_class SYMBOL, speed_kmh DOUBLE, flow_vph DOUBLE, "
                  + "occupancy DOUBLE, tti DOUBLE, samples LONG",
              "segment, district, road_class"),
          table(
              "traffic_district",
              "district SYMBOL, tti DOUBLE, level LONG, mean_speed_kmh DOUBLE, congested_km DOUBLE, samples LONG",
              "district"),
          table(
              "utility_zone",
              "zone SYMBOL, district SYMBOL, utility SYMBOL, consumption DOUBLE, pressure_kpa_min DOUBLE, "
                  + "meters_reporting LONG, meters_dark LONG",
              "zone, district, utility"),
          table(
              "utility_zone_hourly",
              "zone SYMBOL, district SYMBOL, utility SYMBOL, consumption DOUBLE, pressure_kpa_min DOUBLE, "
                  + "meters_reporting LONG, meters_dark LONG",
              "zone, district, utility"),
          table(
              "utility_night_flow",
              "zone SYMBOL, district SYMBOL, min_flow_m3h DOUBLE, minutes LONG",
              "zone, district"),
          table(
              "emergency_area",
              "district SYMBOL, community SYMBOL, open_alerts LONG, new_alerts LONG, sos LONG, fires LONG, "
                  + "floods LONG, mean_ack_s DOUBLE",
              "district, community"),
          table(
              "community_tickets",
              "district SYMBOL, community SYMBOL, tickets_opened LONG, tickets_resolved LONG, open_tickets LONG, "
                  + "mean_handling_s DOUBLE, yellow_cards LONG, red_cards LONG",
              "district, community"),
          table(
              "alert",
              "kind SYMBOL, severity SYMBOL, district SYMBOL, community SYMBOL, alert_id VARCHAR, state VARCHAR, "
                  + "message VARCHAR, actor VARCHAR, action VARCHAR, note VARCHAR, assignee VARCHAR",
              "kind, severity, district, community, alert_id"),
          table(
              "pipeline",
              "stage SYMBOL, events_in LONG, events_out LONG, deadletter LONG, lag_ms DOUBLE",
              "stage"));
}
