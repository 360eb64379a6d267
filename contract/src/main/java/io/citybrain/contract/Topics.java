package io.citybrain.contract;

import java.util.List;

/** Kafka topic names of contract v1. Renaming one is a breaking change. */
public final class Topics {
  private Topics() {}

  public static final String RAW_PREFIX = "city.raw.";
  public static final String RAW_TRAFFIC = "city.raw.traffic";
  public static final String RAW_UTILITY = "city.raw.utility";
  public static final String RAW_EMERGENCY = "city.raw.emergency";
  public static final String RAW_COMMUNITY = "city.raw.community";
  public static final String ALERTS = "city.alerts";
  public static final String ACKS = "city.acks";
  public static final String DEADLETTER = "city.deadletter";

  /**
   * Addition to contract v1: replaced geography layers. Key {@code communities} or {@code zones},
   * value a GeoJSON FeatureCollection of the whole layer (docs/geography.md). One partition and
   * compacted, so the latest record of each layer is always there to read from the beginning.
   */
  public static final String GEOGRAPHY = "city.geography";

  /**
   * The largest geography record, compressed: the topic's {@code max.message.bytes} and the
   * producer's {@code max.request.size}.
   */
  public static final int GEOGRAPHY_MAX_BYTES = 16 * 1024 * 1024;

  /** Topic settings of {@link #GEOGRAPHY} for whoever creates it. */
  public static final java.util.Map<String, String> GEOGRAPHY_CONFIG =
      java.util.Map.of(
          "cleanup.policy", "compact", "max.message.bytes", String.valueOf(GEOGRAPHY_MAX_BYTES));

  /**
   * Addition to contract v1 (issue 20): the latest record of every alert, key the alert id, value
   * the alert as on {@link #ALERTS}. Compacted, and deleted after {@link
   * #ALERTS_LATEST_RETENTION_MS} as {@link #ALERTS} is: an app that starts reads it from the
   * beginning and has every alert of the last 30 days in its latest state (its inbox), without
   * replaying every state of each.
   */
  public static final String ALERTS_LATEST = "city.alerts.latest";

  /** 30 days, as city.alerts keeps alerts. */
  public static final long ALERTS_LATEST_RETENTION_MS = 30L * 24 * 3600 * 1000;

  public static final java.util.Map<String, String> ALERTS_LATEST_CONFIG =
      java.util.Map.of(
          "cleanup.policy",
          "compact,delete",
          "retention.ms",
          String.valueOf(ALERTS_LATEST_RETENTION_MS));

  public static final List<String> ALL =
      List.of(
          RAW_TRAFFIC,
          RAW_UTILITY,
          RAW_EMERGENCY,
          RAW_COMMUNITY,
          ALERTS,
          ACKS,
          DEADLETTER,
          GEOGRAPHY,
          ALERTS_LATEST);

  /**
   * The settings a topic must have for the contract to hold (empty: the cluster's defaults do):
   * {@code city.geography} compacted, taking records of {@link #GEOGRAPHY_MAX_BYTES}; {@code
   * city.alerts.latest} compacted and kept 30 days.
   */
  public static java.util.Map<String, String> configOf(String topic) {
    return topic.equals(GEOGRAPHY)
        ? GEOGRAPHY_CONFIG
        : topic.equals(ALERTS_LATEST) ? ALERTS_LATEST_CONFIG : java.util.Map.of();
  }

  public static String raw(String domain) {
    return RAW_PREFIX + domain;
  }
}
