package io.citybrain.jobs.utility;

/**
 * What the utility job remembers of one meter, inside its zone's state: its latest reading and in
 * which windows it has been counted as reporting. A Flink POJO (public fields, no-arg constructor),
 * serialized without Kryo. {@code NaN} marks a quantity the meter does not measure.
 */
public final class MeterState {
  public String id;
  public double lat;
  public double lon;

  /** Event time of the latest reading. */
  public long lastTs;

  /** Flow (m³/h) or power (kW) of the latest reading. */
  public double rate = Double.NaN;

  /** Pressure (kPa) or, for power meters, voltage (V) of the latest reading. */
  public double level = Double.NaN;

  /** Methane (ppm) of the latest reading, gas sensors only. */
  public double ppm = Double.NaN;

  /** The two latest window ends this meter was counted in ({@code meters_reporting}). */
  public long countedEnd;

  public long countedEndBefore;

  /** The same for hours ({@code meters_reporting} of {@code utility_zone_hourly}). */
  public long countedHour;

  public long countedHourBefore;

  public MeterState() {}

  public MeterState(String id, double lat, double lon) {
    this.id = id;
    this.lat = lat;
    this.lon = lon;
  }

  /** Counts the meter in the window once; true when it had not been counted there yet. */
  boolean countIn(long windowEnd) {
    if (windowEnd == countedEnd || windowEnd == countedEndBefore) {
      return false;
    }
    if (windowEnd > countedEnd) {
      countedEndBefore = countedEnd;
      countedEnd = windowEnd;
    } else {
      countedEndBefore = Math.max(countedEndBefore, windowEnd);
    }
    return true;
  }

  /** Counts the meter in the hour once; true when it had not been counted there yet. */
  boolean countInHour(long hourEnd) {
    if (hourEnd == countedHour || hourEnd == countedHourBefore) {
      return false;
    }
    if (hourEnd > countedHour) {
      countedHourBefore = countedHour;
      countedHour = hourEnd;
    } else {
      countedHourBefore = Math.max(countedHourBefore, hourEnd);
    }
    return true;
  }
}
