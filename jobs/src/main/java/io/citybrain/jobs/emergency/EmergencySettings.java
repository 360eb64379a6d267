package io.citybrain.jobs.emergency;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * The emergency rules' thresholds and times. Defaults are those of ARCHITECTURE.md.
 *
 * @param escalateAfter an unacknowledged critical alert goes to the district after this
 * @param renotifyEvery an escalated alert is sent again at this interval until acknowledged
 * @param fireWindow two alarms in one building within this are a fire
 * @param quietToResolve a fire or SOS with no new alarm or press for this long is resolved
 * @param ticketDeadlines deadline per ticket category; {@code *} is the default
 * @param areaInterval how often {@code emergency_area} rows are written for areas with open alerts
 */
public record EmergencySettings(Duration escalateAfter, Duration renotifyEvery, Duration fireWindow,
    Duration quietToResolve, double floodWarningCm, double floodCriticalCm, Map<String, Duration> ticketDeadlines,
    Duration areaInterval) implements Serializable {

  public EmergencySettings {
    positive(escalateAfter, "emergency.escalate-after");
    positive(renotifyEvery, "emergency.renotify-every");
    positive(fireWindow, "emergency.fire-window");
    positive(quietToResolve, "emergency.quiet-to-resolve");
    if (!(floodWarningCm > 0 && floodCriticalCm > floodWarningCm)) {
      throw new IllegalArgumentException("emergency.flood-warning-cm must be positive and below emergency.flood-critical-cm");
    }
    ticketDeadlines = Map.copyOf(ticketDeadlines);
    if (!ticketDeadlines.containsKey("*")) {
      throw new IllegalArgumentException("emergency.ticket-deadlines needs a default entry '*'");
    }
    ticketDeadlines.forEach((k, v) -> positive(v, "emergency.ticket-deadlines." + k));
    positive(areaInterval, "emergency.area-interval");
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  public static EmergencySettings defaults() {
    return new EmergencySettings(Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(2),
        Duration.ofMinutes(10), 15, 30,
        // Service-supervision deadlines by category (hours), as a city hotline would set them.
        Map.of("*", Duration.ofHours(72), "water", Duration.ofHours(24), "power", Duration.ofHours(24),
            "safety", Duration.ofHours(4), "noise", Duration.ofHours(48), "sanitation", Duration.ofHours(48)),
        Duration.ofMinutes(1));
  }

  public Duration deadlineOf(String category) {
    return ticketDeadlines.getOrDefault(category, ticketDeadlines.get("*"));
  }
}
