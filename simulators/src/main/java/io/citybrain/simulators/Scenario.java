package io.citybrain.simulators;

import java.time.Duration;

/**
 * A named situation the simulator plays, with what the city brain is expected to show for it.
 * Effects start {@link #onset} into the simulation (simulated time) and last {@link #length}.
 */
public enum Scenario {
  NORMAL_DAY(
      "normal-day",
      Duration.ZERO,
      Duration.ZERO,
      "An ordinary day: diurnal traffic and demand with noise.",
      "Indicators move with the time of day; no utility or traffic alert at all."),
  RUSH_HOUR(
      "rush-hour",
      Duration.ZERO,
      Duration.ofHours(2),
      "The morning peak at its worst: congestion on every urban road.",
      "traffic_district level rises to congested (2) or severe (3) in the urban districts; no incident alert."),
  INCIDENT(
      "incident",
      Duration.ofMinutes(10),
      Duration.ofMinutes(20),
      "A crash on one named arterial segment (printed at start): its speed falls to a tenth.",
      "Exactly one traffic_incident alert for that segment, resolved when speed recovers."),
  WATER_BURST(
      "water-burst",
      Duration.ofMinutes(10),
      Duration.ofMinutes(30),
      "A main bursts in one water zone: pressure falls 40% on three of its meters, flow rises.",
      "One water_burst alert for that zone with the meters as evidence."),
  POWER_OUTAGE(
      "power-outage",
      Duration.ofMinutes(10),
      Duration.ofMinutes(20),
      "A feeder trips: every meter of one power zone reports near-zero voltage.",
      "One power_outage alert for that zone with the count of affected meters; resolved when voltage returns."),
  GAS_LEAK(
      "gas-leak",
      Duration.ofMinutes(5),
      Duration.ofMinutes(15),
      "Methane at 8,000 ppm at one gas sensor.",
      "One critical gas_leak alert at once."),
  FIRE(
      "fire",
      Duration.ofMinutes(5),
      Duration.ofMinutes(10),
      "Two smoke detectors of one building alarm 30 s apart.",
      "fire_unconfirmed, then the same alert as fire (critical) on the community and district topics."),
  FLOOD(
      "flood",
      Duration.ofMinutes(5),
      Duration.ofMinutes(40),
      "Water-logging at one gauge rises to 35 cm and recedes.",
      "One flood alert: warning at 15 cm, critical at 30 cm, resolved below 15 cm."),
  SOS(
      "sos",
      Duration.ofMinutes(2),
      Duration.ofMinutes(1),
      "An elderly resident presses the wearable's SOS button once.",
      "One critical sos alert to the community; escalated to the district if nobody acknowledges it."),
  TICKET_BACKLOG(
      "ticket-backlog",
      Duration.ZERO,
      Duration.ofMinutes(10),
      "Fifty resident tickets opened in ten minutes, none resolved.",
      "ticket_overdue yellow cards at 80% of each deadline, red cards at the deadline.");

  private final String wireName;
  final Duration onset;
  final Duration length;
  private final String description;
  private final String expected;

  Scenario(String wireName, Duration onset, Duration length, String description, String expected) {
    this.wireName = wireName;
    this.onset = onset;
    this.length = length;
    this.description = description;
    this.expected = expected;
  }

  public String wireName() {
    return wireName;
  }

  public String description() {
    return description;
  }

  public String expected() {
    return expected;
  }

  /** Whether the scenario's effect is on at {@code elapsedMs} of simulated time. */
  boolean active(long elapsedMs) {
    return elapsedMs >= onset.toMillis() && elapsedMs < onset.toMillis() + length.toMillis();
  }

  public static Scenario of(String name) {
    for (Scenario s : values()) {
      if (s.wireName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "--scenario must be one of "
            + java.util.Arrays.stream(values()).map(Scenario::wireName).toList()
            + ", got '"
            + name
            + "'");
  }
}
