package io.citybrain.jobs.utility;

/**
 * The per-zone summary state besides meters, windows and incidents. A Flink POJO, serialized
 * without Kryo.
 */
public final class ZoneState {
  public String zone;
  public String district;
  public String utility;

  /** Ring of the last closed minutes' median pressures: the trailing-median baseline. */
  public double[] medians = new double[0];

  public int medianCount;
  public int medianNext;

  /**
   * Minimum night flow being measured: lowest zone flow so far tonight (m³/h), and over how many
   * minutes.
   */
  public double nightMin = Double.NaN;

  public long nightMinutes;

  public ZoneState() {}

  void pushMedian(double m, int capacity) {
    if (medians.length != capacity) {
      medians = new double[capacity];
      medianCount = 0;
      medianNext = 0;
    }
    medians[medianNext] = m;
    medianNext = (medianNext + 1) % capacity;
    medianCount = Math.min(medianCount + 1, capacity);
  }

  double baseline(int minMinutes) {
    return medianCount < minMinutes ? Double.NaN : UtilityRules.median(medians, medianCount);
  }
}
