package io.citybrain.jobs.emergency;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.Rejected;
import java.util.Optional;

/** Pure functions from envelopes to signals, and between alert ids and incident keys. */
public final class Signals {
  private Signals() {}

  public static final String FIRE = "fire";
  public static final String SOS = "sos";
  public static final String FLOOD = "flood";
  public static final String TICKET = "ticket";

  /**
   * Detectors without a building closer than this to one another count as one building (the
   * contract's 30 m); a grid of this size approximates that.
   */
  static final double BUILDING_CELL_M = 30.0;

  /**
   * Refuses an emergency signal (smoke, SOS, flood) observed more than {@code maxAgeMs} before
   * {@code now}: the rules alert <em>now</em>, so a 30-day-old SOS that reached Kafka by any way
   * would page a manager about something long over. Tickets are exempt: their deadlines run for
   * hours and their steps are counted, not alerted at once.
   */
  public static void checkFresh(Envelope e, long now, long maxAgeMs) throws Rejected {
    if (e.domain().equals("emergency") && e.ts() < now - maxAgeMs) {
      throw new Rejected(
          Reason.STALE_TIMESTAMP,
          e.deviceId()
              + "'s "
              + e.kind()
              + " at "
              + e.ts()
              + " is "
              + (now - e.ts())
              + " ms old, the limit is "
              + maxAgeMs
              + " (emergency.quiet-to-resolve)");
    }
  }

  /**
   * The signal of {@code e} whose typed values are {@code r} (null: outside contract v1), or empty
   * for readings no rule looks at.
   */
  public static Optional<Signal> from(Envelope e, Reading r, Place place) {
    String family;
    String subject;
    boolean on = false;
    double value = 0;
    String status = null;
    String category = null;
    if (r instanceof Reading.Smoke smoke) {
      family = FIRE;
      subject =
          smoke.buildingId() != null
              ? smoke.buildingId()
              : place.building() != null ? place.building() : cell(e.lon(), e.lat());
      on = smoke.alarm();
    } else if (r instanceof Reading.Sos sos) {
      family = SOS;
      subject = e.deviceId();
      on = sos.pressed();
    } else if (r instanceof Reading.Flood flood) {
      family = FLOOD;
      subject = e.deviceId();
      value = flood.depthCm();
    } else if (r instanceof Reading.Ticket ticket) {
      family = TICKET;
      subject = ticket.ticketId();
      status = ticket.status();
      category = ticket.category();
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new Signal(
            family + "|" + subject,
            family,
            e.deviceId(),
            place.district(),
            place.community(),
            e.lat(),
            e.lon(),
            e.ts(),
            on,
            value,
            status,
            category,
            place.fireStation(),
            place.fireStationM()));
  }

  /**
   * A 30 m grid cell as a pseudo-building id, in metres of a projection true at the middle of the
   * point's whole-degree band of latitude: any city, and cells that do not shift with small moves.
   */
  static String cell(double lon, double lat) {
    double metresPerDegLat = 111_320.0;
    double metresPerDegLon = metresPerDegLat * Math.cos(Math.toRadians(Math.floor(lat) + 0.5));
    long x = (long) Math.floor(lon * metresPerDegLon / BUILDING_CELL_M);
    long y = (long) Math.floor(lat * metresPerDegLat / BUILDING_CELL_M);
    // The same text as String.format(Locale.ROOT, "cell-%d-%d", x, y), without the formatter's
    // parsing and locale lookups on every signal (a twentieth of the decoding task, issue 22).
    return "cell-" + x + "-" + y;
  }

  /**
   * The alert id of an incident: {@code <family>-<start ts>-<subject>}. Stable (the same incident
   * always yields it), a valid MQTT topic level, and it leads back to the incident's key.
   */
  public static String alertId(String family, long startTs, String subject) {
    return family + "-" + startTs + "-" + subject;
  }

  /** The incident key an alert id belongs to, or empty when the id is not one of ours. */
  public static Optional<String> keyOfAlert(String alertId) {
    int first = alertId.indexOf('-');
    int second = first < 0 ? -1 : alertId.indexOf('-', first + 1);
    if (second < 0 || second == alertId.length() - 1) {
      return Optional.empty();
    }
    String family = alertId.substring(0, first);
    if (!(family.equals(FIRE)
        || family.equals(SOS)
        || family.equals(FLOOD)
        || family.equals(TICKET))) {
      return Optional.empty();
    }
    return Optional.of(family + "|" + alertId.substring(second + 1));
  }
}
