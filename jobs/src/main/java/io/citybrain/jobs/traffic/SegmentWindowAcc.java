package io.citybrain.jobs.traffic;

/** Window state of a segment: its attributes and what its readings add up to. A Flink POJO. */
public final class SegmentWindowAcc {
  public MatchedSegment segment;
  public SegmentAcc acc = new SegmentAcc();

  public SegmentWindowAcc() {}
}
