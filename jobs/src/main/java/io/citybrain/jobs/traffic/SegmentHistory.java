package io.citybrain.jobs.traffic;

/**
 * A segment's recent speeds and its open incident, if any: the keyed state of incident detection. A
 * Flink POJO; arrays are oldest first and hold at most the trailing window.
 */
public final class SegmentHistory {
  public long[] windowEnds = new long[0];
  public double[] speeds = new double[0];

  /** Open incident: its alert id (null when none), the speed it is measured against, its start. */
  public String alertId;

  public double baselineKmh;
  public long startWindowEnd;
  public double lowestKmh;
  public int windowsSinceUpdate;
  public long cleanupAt;

  public SegmentHistory() {}
}
