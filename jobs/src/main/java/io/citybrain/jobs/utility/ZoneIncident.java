package io.citybrain.jobs.utility;

/**
 * One open utility incident of a zone (at most one per kind). A Flink POJO, serialized without
 * Kryo.
 */
public final class ZoneIncident {
  public String alertId;
  public String kind;
  public String severity;
  public String zone;
  public String district;
  public double lat;
  public double lon;

  /** Event time of the reading that raised it; part of the alert id. */
  public long startTs;

  /** Affected meters when last sent: an update is sent only when this grows. */
  public int count;

  public ZoneIncident() {}
}
