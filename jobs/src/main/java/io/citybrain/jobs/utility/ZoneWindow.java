package io.citybrain.jobs.utility;

/** A zone's open one-minute window. A Flink POJO, serialized without Kryo. */
public final class ZoneWindow {
  public long end;
  public double consumption;
  public double pressureMin = Double.NaN;
  public long reporting;

  /** Dark meters as counted when the window first closed, kept for late re-emission. */
  public long dark;

  public boolean emitted;

  public ZoneWindow() {}

  ZoneWindow(long end) {
    this.end = end;
  }
}
