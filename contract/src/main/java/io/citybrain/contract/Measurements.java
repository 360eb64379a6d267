package io.citybrain.contract;

import static io.citybrain.contract.Measurement.Type.DOUBLE;
import static io.citybrain.contract.Measurement.Type.LONG;
import static io.citybrain.contract.Measurement.Type.STRING;

import java.util.List;

/**
 * The measurements of contract v1 (docs/contract.md, "Measurements"): the one place a measurement
 * or a column is added. The store's tables ({@code QuestDbSchema}), the jobs' and services' rows
 * and the console's queries are made from these. Column order is the store's.
 */
public final class Measurements {
  private Measurements() {}

  public static final Measurement TRAFFIC_SEGMENT =
      Measurement.named("traffic_segment")
          .tag("segment")
          .tag("district")
          .tag("road_class")
          .field("speed_kmh", DOUBLE)
          // Probe vehicles give a speed only; flow and occupancy need a loop detector's counts.
          .optionalField("flow_vph", DOUBLE)
          .optionalField("occupancy", DOUBLE)
          .field("tti", DOUBLE)
          .field("samples", LONG)
          .build();

  public static final Measurement TRAFFIC_DISTRICT =
      Measurement.named("traffic_district")
          .tag("district")
          .field("tti", DOUBLE)
          .field("level", LONG)
          .field("mean_speed_kmh", DOUBLE)
          .field("congested_km", DOUBLE)
          .field("samples", LONG)
          .build();

  public static final Measurement UTILITY_ZONE =
      Measurement.named("utility_zone")
          .tag("zone")
          .tag("district")
          .tag("utility")
          // A zone whose meters measure only pressure has no consumption, and the other way round.
          .optionalField("consumption", DOUBLE)
          .optionalField("pressure_kpa_min", DOUBLE)
          .field("meters_reporting", LONG)
          .field("meters_dark", LONG)
          .build();

  /**
   * Addition to v1: {@link #UTILITY_ZONE} per hour. A measurement of its own rather than a tag on
   * {@code utility_zone}: a new tag would split the existing series and make every dashboard that
   * sums {@code consumption} over {@code utility_zone} count each hour twice, and the store's
   * deduplication key (time and tags) would have to change on a table already in use.
   */
  public static final Measurement UTILITY_ZONE_HOURLY = UTILITY_ZONE.as("utility_zone_hourly");

  /** Addition to v1: the lowest one-minute flow of the night. */
  public static final Measurement UTILITY_NIGHT_FLOW =
      Measurement.named("utility_night_flow")
          .tag("zone")
          .tag("district")
          .field("min_flow_m3h", DOUBLE)
          .field("minutes", LONG)
          .build();

  public static final Measurement EMERGENCY_AREA =
      Measurement.named("emergency_area")
          .tag("district")
          // A district's row has no community.
          .optionalTag("community")
          .field("open_alerts", LONG)
          .field("new_alerts", LONG)
          .field("sos", LONG)
          .field("fires", LONG)
          .field("floods", LONG)
          // No mean when nobody acknowledged in the interval.
          .optionalField("mean_ack_s", DOUBLE)
          .build();

  /** Addition to v1. */
  public static final Measurement COMMUNITY_TICKETS =
      Measurement.named("community_tickets")
          .tag("district")
          .optionalTag("community")
          .field("tickets_opened", LONG)
          .field("tickets_resolved", LONG)
          .field("open_tickets", LONG)
          // No mean when no ticket was resolved in the interval.
          .optionalField("mean_handling_s", DOUBLE)
          .field("yellow_cards", LONG)
          .field("red_cards", LONG)
          .build();

  /** Every state of every alert; an alert is identified by its id, so the id is a key. */
  public static final Measurement ALERT =
      Measurement.named("alert")
          .tag("kind")
          .optionalTag("severity")
          .tag("district")
          .optionalTag("community")
          .field("alert_id", STRING)
          .field("state", STRING)
          .field("message", STRING)
          // Additions to v1, on a person's change only: who, what, why, to whom.
          .optionalField("actor", STRING)
          .optionalField("action", STRING)
          .optionalField("note", STRING)
          .optionalField("assignee", STRING)
          .key("alert_id")
          .build();

  /** Each stage's counts per interval (the bridge, dispatch, and one per job). */
  public static final Measurement PIPELINE =
      Measurement.named("pipeline")
          .tag("stage")
          .field("events_in", LONG)
          .field("events_out", LONG)
          .field("deadletter", LONG)
          // A float, as the bridge has always written it; no field when the stage saw nothing.
          .optionalField("lag_ms", DOUBLE)
          .build();

  public static final List<Measurement> ALL =
      List.of(
          TRAFFIC_SEGMENT,
          TRAFFIC_DISTRICT,
          UTILITY_ZONE,
          UTILITY_ZONE_HOURLY,
          UTILITY_NIGHT_FLOW,
          EMERGENCY_AREA,
          COMMUNITY_TICKETS,
          ALERT,
          PIPELINE);

  /** The measurement of that name; refused when contract v1 has none. */
  public static Measurement named(String name) {
    return ALL.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("contract v1 has no measurement " + name));
  }
}
