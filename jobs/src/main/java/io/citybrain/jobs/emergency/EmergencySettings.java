package io.citybrain.jobs.emergency;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.ParameterTool;

/**
 * The emergency rules' thresholds and times. Defaults are those of ARCHITECTURE.md. A wrong value
 * fails construction with a message naming its key.
 *
 * @param escalateAfter an unacknowledged critical alert goes to the district after this
 * @param renotifyEvery an escalated alert is sent again at this interval until acknowledged
 * @param fireWindow two alarms in one building within this are a fire
 * @param quietToResolve a fire or SOS with no new alarm or press for this long is resolved
 * @param ticketDeadlines deadline per ticket category; {@code *} is the default
 * @param areaInterval how often {@code emergency_area} and {@code community_tickets} rows are
 *     written for areas with open alerts or tickets
 * @param cooldown how long a resolved fire, SOS or flood is remembered: a repeat within it re-opens
 *     the same alert (same id) instead of raising a new one
 * @param maxOpenTicketsPerDevice how many unresolved tickets one device (a district's hotline, an
 *     app) may have open; a new ticket beyond it is a dead letter {@code too-many-incidents}
 * @param maxBuildingsPerDetector how many buildings one smoke detector may report fires in at once
 *     (it sends its building; one that is not in the registry could send any); beyond it, a dead
 *     letter {@code too-many-incidents}
 */
public record EmergencySettings(
    Duration escalateAfter,
    Duration renotifyEvery,
    Duration fireWindow,
    Duration quietToResolve,
    double floodWarningCm,
    double floodCriticalCm,
    Map<String, Duration> ticketDeadlines,
    Duration areaInterval,
    Duration cooldown,
    int maxOpenTicketsPerDevice,
    int maxBuildingsPerDetector)
    implements Serializable {

  public static final String ESCALATE_AFTER = "emergency.escalate-after";
  public static final String RENOTIFY_EVERY = "emergency.renotify-every";
  public static final String FIRE_WINDOW = "emergency.fire-window";
  public static final String QUIET_TO_RESOLVE = "emergency.quiet-to-resolve";
  public static final String FLOOD_WARNING_CM = "emergency.flood-warning-cm";
  public static final String FLOOD_CRITICAL_CM = "emergency.flood-critical-cm";

  /**
   * Followed by a category, e.g. {@code emergency.ticket-deadline.water}; {@code .default} for the
   * rest.
   */
  public static final String TICKET_DEADLINE_PREFIX = "emergency.ticket-deadline.";

  public static final String AREA_INTERVAL = "emergency.area-interval";
  public static final String COOLDOWN = "emergency.cooldown";
  public static final String MAX_OPEN_TICKETS_PER_DEVICE = "emergency.max-open-tickets-per-device";
  public static final String MAX_BUILDINGS_PER_DETECTOR = "emergency.max-buildings-per-detector";

  /** The keys read here, besides the ticket deadlines' family ({@link #TICKET_DEADLINE_PREFIX}). */
  public static final List<String> KEYS =
      List.of(
          ESCALATE_AFTER,
          RENOTIFY_EVERY,
          FIRE_WINDOW,
          QUIET_TO_RESOLVE,
          FLOOD_WARNING_CM,
          FLOOD_CRITICAL_CM,
          AREA_INTERVAL,
          COOLDOWN,
          MAX_OPEN_TICKETS_PER_DEVICE,
          MAX_BUILDINGS_PER_DETECTOR);

  /**
   * The deadlines table's fallback entry; on the command line it is the category {@code default}.
   */
  static final String ANY_CATEGORY = "*";

  public EmergencySettings {
    positive(escalateAfter, ESCALATE_AFTER);
    positive(renotifyEvery, RENOTIFY_EVERY);
    positive(fireWindow, FIRE_WINDOW);
    positive(quietToResolve, QUIET_TO_RESOLVE);
    if (!(floodWarningCm > 0)) {
      throw new IllegalArgumentException(
          FLOOD_WARNING_CM + " must be positive, got " + floodWarningCm);
    }
    if (!(floodCriticalCm > floodWarningCm)) {
      throw new IllegalArgumentException(
          FLOOD_CRITICAL_CM
              + " must be above "
              + FLOOD_WARNING_CM
              + " ("
              + floodWarningCm
              + "), got "
              + floodCriticalCm);
    }
    ticketDeadlines = Map.copyOf(ticketDeadlines);
    if (!ticketDeadlines.containsKey(ANY_CATEGORY)) {
      throw new IllegalArgumentException(
          TICKET_DEADLINE_PREFIX + "default must be set (the deadline of other categories)");
    }
    ticketDeadlines.forEach((k, v) -> positive(v, deadlineKey(k)));
    positive(areaInterval, AREA_INTERVAL);
    if (maxOpenTicketsPerDevice < 1) {
      throw new IllegalArgumentException(
          MAX_OPEN_TICKETS_PER_DEVICE + " must be at least 1, got " + maxOpenTicketsPerDevice);
    }
    if (maxBuildingsPerDetector < 1) {
      throw new IllegalArgumentException(
          MAX_BUILDINGS_PER_DETECTOR + " must be at least 1, got " + maxBuildingsPerDetector);
    }
    positive(cooldown, COOLDOWN);
  }

  private static String deadlineKey(String category) {
    return TICKET_DEADLINE_PREFIX + (ANY_CATEGORY.equals(category) ? "default" : category);
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  public static EmergencySettings defaults() {
    return new EmergencySettings(
        Duration.ofMinutes(5),
        Duration.ofMinutes(2),
        Duration.ofMinutes(2),
        Duration.ofMinutes(10),
        15,
        30,
        // Service-supervision deadlines by category (hours), as a city hotline would set them.
        Map.of(
            ANY_CATEGORY,
            Duration.ofHours(72),
            "water",
            Duration.ofHours(24),
            "power",
            Duration.ofHours(24),
            "safety",
            Duration.ofHours(4),
            "noise",
            Duration.ofHours(48),
            "sanitation",
            Duration.ofHours(48)),
        Duration.ofMinutes(1),
        Duration.ofMinutes(10),
        // A district hotline of a large city holds thousands of open tickets; a detector is in one
        // building (a few, for one at a party wall or a gateway).
        10_000,
        4);
  }

  /**
   * Reads the {@code emergency.*} keys (durations in seconds, depths in cm), the defaults for those
   * absent. Ticket deadlines are one key per category ({@code --emergency.ticket-deadline.water
   * 86400}); categories given replace or add to the default table, the others keep their default.
   */
  public static EmergencySettings fromArgs(String[] args) {
    ParameterTool p = ParameterTool.fromArgs(args);
    EmergencySettings d = defaults();
    Map<String, Duration> deadlines = new HashMap<>(d.ticketDeadlines);
    for (String key : p.toMap().keySet()) {
      if (key.startsWith(TICKET_DEADLINE_PREFIX)) {
        String category = key.substring(TICKET_DEADLINE_PREFIX.length());
        if (category.isEmpty()) {
          throw new IllegalArgumentException(
              key + " needs a category after the dot, e.g. " + TICKET_DEADLINE_PREFIX + "water");
        }
        deadlines.put(category.equals("default") ? ANY_CATEGORY : category, seconds(p, key, null));
      }
    }
    return new EmergencySettings(
        seconds(p, ESCALATE_AFTER, d.escalateAfter),
        seconds(p, RENOTIFY_EVERY, d.renotifyEvery),
        seconds(p, FIRE_WINDOW, d.fireWindow),
        seconds(p, QUIET_TO_RESOLVE, d.quietToResolve),
        number(p, FLOOD_WARNING_CM, d.floodWarningCm),
        number(p, FLOOD_CRITICAL_CM, d.floodCriticalCm),
        deadlines,
        seconds(p, AREA_INTERVAL, d.areaInterval),
        seconds(p, COOLDOWN, d.cooldown),
        count(p, MAX_OPEN_TICKETS_PER_DEVICE, d.maxOpenTicketsPerDevice),
        count(p, MAX_BUILDINGS_PER_DETECTOR, d.maxBuildingsPerDetector));
  }

  private static int count(ParameterTool p, String key, int fallback) {
    double x = number(p, key, fallback);
    if (x != Math.rint(x) || x > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + p.get(key) + "'");
    }
    return (int) x;
  }

  private static Duration seconds(ParameterTool p, String key, Duration fallback) {
    if (p.get(key) == null && fallback != null) {
      return fallback;
    }
    return Duration.ofMillis(Math.round(number(p, key, Double.NaN) * 1000));
  }

  private static double number(ParameterTool p, String key, double fallback) {
    String v = p.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      double x = Double.parseDouble(v);
      if (!Double.isFinite(x)) {
        throw new NumberFormatException();
      }
      return x;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
    }
  }

  public Duration deadlineOf(String category) {
    return ticketDeadlines.getOrDefault(category, ticketDeadlines.get(ANY_CATEGORY));
  }
}
