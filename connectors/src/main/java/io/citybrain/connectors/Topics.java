package io.citybrain.connectors;

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

  public static final List<String> ALL =
      List.of(RAW_TRAFFIC, RAW_UTILITY, RAW_EMERGENCY, RAW_COMMUNITY, ALERTS, ACKS, DEADLETTER);

  public static String raw(String domain) {
    return RAW_PREFIX + domain;
  }
}
