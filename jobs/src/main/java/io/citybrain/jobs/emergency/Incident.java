package io.citybrain.jobs.emergency;

/**
 * The keyed state of one incident: what has been said about it so far and which timers are due. A
 * Flink POJO (public fields, no-arg constructor) so that it is serialized without Kryo; times named
 * {@code ...At} are processing-time timers (0 = none), the others event time.
 */
public final class Incident {
  public String key;
  public String family;
  public String alertId;
  public String kind;
  public String severity;
  public String state;
  public String scope;
  public String district;
  public String community;
  public double lat;
  public double lon;
  public long startTs;
  public long lastTs;
  public String ackedBy;

  /**
   * Who a person assigned the incident to; null until someone does (added after v1: older state
   * restores it as null).
   */
  public String assignee;

  public long ackedTs;

  /** Smoke detectors that alarmed within the fire window, and when. */
  public String[] detectors = new String[0];

  public long[] detectorTs = new long[0];

  /** Flood: the deepest reading so far. */
  public double value;

  /** Tickets: category, and whether a card has been shown yet. */
  public String category;

  public boolean alerted;

  /** Fire: the nearest fire station and its straight-line distance in metres. */
  public String fireStation;

  public double fireStationM = Double.NaN;
  public long escalateAt;
  public long renotifyAt;
  public long resolveAt;
  public long cardAt;
  public long deadlineAt;

  /** Resolved and cooling down: the state is forgotten at this time. */
  public long forgetAt;

  public Incident() {}

  Incident copy() {
    Incident c = new Incident();
    c.key = key;
    c.family = family;
    c.alertId = alertId;
    c.kind = kind;
    c.severity = severity;
    c.state = state;
    c.scope = scope;
    c.district = district;
    c.community = community;
    c.lat = lat;
    c.lon = lon;
    c.startTs = startTs;
    c.lastTs = lastTs;
    c.ackedBy = ackedBy;
    c.assignee = assignee;
    c.ackedTs = ackedTs;
    c.detectors = detectors.clone();
    c.detectorTs = detectorTs.clone();
    c.value = value;
    c.category = category;
    c.alerted = alerted;
    c.fireStation = fireStation;
    c.fireStationM = fireStationM;
    c.escalateAt = escalateAt;
    c.renotifyAt = renotifyAt;
    c.resolveAt = resolveAt;
    c.cardAt = cardAt;
    c.deadlineAt = deadlineAt;
    c.forgetAt = forgetAt;
    return c;
  }

  long[] timers() {
    return new long[] {escalateAt, renotifyAt, resolveAt, cardAt, forgetAt};
  }
}
