package io.citybrain.console;

import io.citybrain.contract.Alert;
import java.util.List;
import java.util.Map;

/**
 * What {@code /api/live} answers: the latest indicators for the map and the figures, every alert's
 * latest state, and pipeline health. Store rows keep the measurement's field names of contract v1
 * (e.g. {@code mean_speed_kmh}), so the console and the dashboards speak of the same things.
 *
 * @param districts latest {@code traffic_district} row per district
 * @param segments latest {@code tti} per road segment id, from {@code traffic_segment}
 * @param pipeline latest {@code pipeline} row per stage
 * @param problems what could not be read this time (the store down, a query refused), for the
 *     status line
 */
record LiveSnapshot(
    long generatedAt,
    Figures figures,
    List<Map<String, Object>> districts,
    Map<String, Double> segments,
    List<Alert> alerts,
    List<Map<String, Object>> pipeline,
    List<String> problems) {

  /**
   * The headline figures.
   *
   * @param meanTti mean of the districts' latest TTI, null before the first window
   * @param lastWindow end of the newest traffic_district window, as the store prints it
   * @param openAlerts alerts raised or escalated and not yet acknowledged or resolved
   * @param communitiesAlerting communities (or, for district-wide alerts, districts) with an open
   *     alert
   * @param metersReporting meters reporting in the latest {@code utility_zone} row of every zone,
   *     null before the first
   * @param metersDark meters gone dark there, null before the first row
   */
  record Figures(
      Double meanTti,
      int districtsReporting,
      int congestedDistricts,
      String lastWindow,
      int openAlerts,
      int criticalOpen,
      long eventsIn,
      long deadletter,
      Double lagMs,
      int communitiesAlerting,
      Long metersReporting,
      Long metersDark) {}
}
