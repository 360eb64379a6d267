package io.citybrain.console;

import io.citybrain.contract.Alert;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link LiveSnapshot}s from the store and the alert board. A part that cannot be read
 * leaves its section empty and says why in {@code problems}; the rest is still served.
 */
final class LiveReader {

  /** Level 2 and above: congested or severe (ARCHITECTURE.md). */
  static final int CONGESTED_LEVEL = 2;

  private final IndicatorReader store;
  private final AlertBoard board;

  LiveReader(IndicatorReader store, AlertBoard board) {
    this.store = store;
    this.board = board;
  }

  LiveSnapshot read(long now) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    List<Map<String, Object>> districts = rows(IndicatorReader.DISTRICTS, problems);
    Map<String, Double> segments = new LinkedHashMap<>();
    for (Map<String, Object> r : rows(IndicatorReader.SEGMENTS, problems)) {
      if (r.get("segment") != null && r.get("tti") instanceof Number tti) {
        segments.put((String) r.get("segment"), tti.doubleValue());
      }
    }
    List<Map<String, Object>> pipeline = rows(IndicatorReader.PIPELINE, problems);
    List<Map<String, Object>> utility = rows(IndicatorReader.UTILITY, problems);
    List<Alert> alerts = board.alerts();
    if (board.unreadable() > 0) {
      problems.add(board.unreadable() + " unreadable records on city.alerts");
    }
    return new LiveSnapshot(
        now,
        figures(districts, alerts, pipeline, utility),
        districts,
        segments,
        alerts,
        pipeline,
        problems);
  }

  static LiveSnapshot.Figures figures(
      List<Map<String, Object>> districts,
      List<Alert> alerts,
      List<Map<String, Object>> pipeline,
      List<Map<String, Object>> utility) {
    double ttiSum = 0;
    int withTti = 0;
    int congested = 0;
    String lastWindow = null;
    for (Map<String, Object> d : districts) {
      // A row without a TTI (NaN is stored as null) has no meaningful level either: the level is
      // derived from the TTI, and NaN falls through every threshold to "severe".
      if (d.get("tti") instanceof Number t) {
        ttiSum += t.doubleValue();
        withTti++;
        if (d.get("level") instanceof Number l && l.intValue() >= CONGESTED_LEVEL) {
          congested++;
        }
      }
      // ISO-8601 in one zone and format, so the greatest string is the newest instant.
      if (d.get("timestamp") instanceof String ts
          && (lastWindow == null || ts.compareTo(lastWindow) > 0)) {
        lastWindow = ts;
      }
    }
    int open = 0;
    int critical = 0;
    java.util.Set<String> alerting = new java.util.HashSet<>();
    for (Alert a : alerts) {
      if (isOpen(a)) {
        open++;
        alerting.add(a.community() != null ? a.community() : a.district());
        if (Alert.SEVERITY_CRITICAL.equals(a.severity())) {
          critical++;
        }
      }
    }
    long in = 0;
    long dead = 0;
    Double lag = null;
    for (Map<String, Object> p : pipeline) {
      // What came into the city is the bridge's intake: the jobs' and dispatch's events_in are the
      // same events further on. Dead letters add up: each stage refuses events no other stage saw.
      if (io.citybrain.connectors.bridge.PipelineReporter.BRIDGE_STAGE.equals(p.get("stage"))) {
        in += p.get("events_in") instanceof Number n ? n.longValue() : 0;
      }
      dead += p.get("deadletter") instanceof Number n ? n.longValue() : 0;
      if (p.get("lag_ms") instanceof Number l) {
        lag = lag == null ? l.doubleValue() : Math.max(lag, l.doubleValue());
      }
    }
    Long reporting = null;
    Long dark = null;
    for (Map<String, Object> z : utility) {
      if (z.get("meters_reporting") instanceof Number n) {
        reporting = (reporting == null ? 0 : reporting) + n.longValue();
      }
      if (z.get("meters_dark") instanceof Number n) {
        dark = (dark == null ? 0 : dark) + n.longValue();
      }
    }
    return new LiveSnapshot.Figures(
        withTti == 0 ? null : ttiSum / withTti,
        districts.size(),
        congested,
        lastWindow,
        open,
        critical,
        in,
        dead,
        lag,
        alerting.size(),
        reporting,
        dark);
  }

  /**
   * The snapshot as a person sees it (issue 20): only the alerts their role and scope cover, and
   * the alert figures counted over those. The city's indicators (traffic, utility, the pipeline)
   * stay whole: they are the operations centre's shared picture, not anyone's incident.
   */
  static LiveSnapshot scoped(LiveSnapshot s, io.citybrain.users.Account who) {
    List<Alert> mine =
        s.alerts().stream().filter(a -> who.covers(a.district(), a.community())).toList();
    LiveSnapshot.Figures f = s.figures();
    LiveSnapshot.Figures alertsOnly = figures(List.of(), mine, List.of(), List.of());
    LiveSnapshot.Figures figures =
        new LiveSnapshot.Figures(
            f.meanTti(),
            f.districtsReporting(),
            f.congestedDistricts(),
            f.lastWindow(),
            alertsOnly.openAlerts(),
            alertsOnly.criticalOpen(),
            f.eventsIn(),
            f.deadletter(),
            f.lagMs(),
            alertsOnly.communitiesAlerting(),
            f.metersReporting(),
            f.metersDark());
    return new LiveSnapshot(
        s.generatedAt(), figures, s.districts(), s.segments(), mine, s.pipeline(), s.problems());
  }

  static boolean isOpen(Alert a) {
    return Alert.STATE_RAISED.equals(a.state()) || Alert.STATE_ESCALATED.equals(a.state());
  }

  private List<Map<String, Object>> rows(IndicatorReader.Latest m, List<String> problems)
      throws InterruptedException {
    try {
      return store.latest(m);
    } catch (IOException e) {
      problems.add(e.getMessage());
      return List.of();
    }
  }
}
