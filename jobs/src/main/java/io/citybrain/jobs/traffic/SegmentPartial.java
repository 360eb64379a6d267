package io.citybrain.jobs.traffic;

/**
 * What one task's readings of a segment add up to in one window, sent to the segment's window in
 * place of the readings themselves ({@link SegmentPartials}); or a single reading whose window had
 * already closed at that task, which the segment's window may still count (allowed lateness) or
 * refuse as late. A Flink POJO.
 */
public final class SegmentPartial {
  public MatchedSegment segment;
  public SegmentAcc acc = new SegmentAcc();

  /**
   * The reading itself when this is a single reading the window may refuse: its dead letter names
   * the reading's device and Kafka record. Null for a sum of readings, which is never late (see
   * {@link SegmentPartials}).
   */
  public TrafficObservation reading;

  public SegmentPartial() {}

  static SegmentPartial of(TrafficObservation o) {
    SegmentPartial p = new SegmentPartial();
    p.segment = o.segment();
    p.acc.add(o);
    return p;
  }
}
