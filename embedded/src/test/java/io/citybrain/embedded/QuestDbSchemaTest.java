package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The store's tables come from contract v1's measurement definitions; these are the statements that
 * were written by hand before, so that moving them changed no table. A column added to a
 * measurement is added here too: the test says what the store will create.
 */
class QuestDbSchemaTest {

  @Test
  void theTablesAreTheMeasurementsOfTheContract() {
    assertThat(QuestDbSchema.CREATE_TABLES)
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS traffic_segment (segment SYMBOL, district SYMBOL, road_class SYMBOL, speed_kmh DOUBLE, flow_vph DOUBLE, occupancy DOUBLE, tti DOUBLE, samples LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, segment, district, road_class)",
            "CREATE TABLE IF NOT EXISTS traffic_district (district SYMBOL, tti DOUBLE, level LONG, mean_speed_kmh DOUBLE, congested_km DOUBLE, samples LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, district)",
            "CREATE TABLE IF NOT EXISTS utility_zone (zone SYMBOL, district SYMBOL, utility SYMBOL, consumption DOUBLE, pressure_kpa_min DOUBLE, meters_reporting LONG, meters_dark LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, zone, district, utility)",
            "CREATE TABLE IF NOT EXISTS utility_zone_hourly (zone SYMBOL, district SYMBOL, utility SYMBOL, consumption DOUBLE, pressure_kpa_min DOUBLE, meters_reporting LONG, meters_dark LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, zone, district, utility)",
            "CREATE TABLE IF NOT EXISTS utility_night_flow (zone SYMBOL, district SYMBOL, min_flow_m3h DOUBLE, minutes LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, zone, district)",
            "CREATE TABLE IF NOT EXISTS emergency_area (district SYMBOL, community SYMBOL, open_alerts LONG, new_alerts LONG, sos LONG, fires LONG, floods LONG, mean_ack_s DOUBLE, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, district, community)",
            "CREATE TABLE IF NOT EXISTS community_tickets (district SYMBOL, community SYMBOL, tickets_opened LONG, tickets_resolved LONG, open_tickets LONG, mean_handling_s DOUBLE, yellow_cards LONG, red_cards LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, district, community)",
            "CREATE TABLE IF NOT EXISTS alert (kind SYMBOL, severity SYMBOL, district SYMBOL, community SYMBOL, alert_id VARCHAR, state VARCHAR, message VARCHAR, actor VARCHAR, action VARCHAR, note VARCHAR, assignee VARCHAR, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, kind, severity, district, community, alert_id)",
            "CREATE TABLE IF NOT EXISTS pipeline (stage SYMBOL, events_in LONG, events_out LONG, deadletter LONG, lag_ms DOUBLE, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, stage)");
  }
}
