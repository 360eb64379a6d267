package io.citybrain.jobs.traffic;

/**
 * What a segment's window accumulates. A Flink POJO (public fields) so that window state needs no
 * Kryo.
 */
public final class SegmentAcc {
  /** Vehicles represented: loop counts plus one per probe fix. */
  public double vehicles;

  /**
   * Σ vehicles / speed: hours each vehicle needs per km, summed (the harmonic mean's denominator).
   */
  public double vehicleHoursPerKm;

  public double loopVehicles;
  public double loopSeconds;

  /** Σ occupancy × interval seconds, for the interval-weighted mean occupancy. */
  public double occupancySeconds;

  public long samples;

  public SegmentAcc() {}

  public void add(TrafficObservation o) {
    double n = o.vehicles();
    vehicles += n;
    vehicleHoursPerKm += n / Math.max(TrafficIndicators.MIN_SPEED_KMH, o.speedKmh());
    if (o.intervalS() > 0) {
      loopVehicles += n;
      loopSeconds += o.intervalS();
      occupancySeconds += o.occupancy() * o.intervalS();
    }
    samples++;
  }

  /** Adds {@code other}'s readings to these. */
  public void addAll(SegmentAcc other) {
    vehicles += other.vehicles;
    vehicleHoursPerKm += other.vehicleHoursPerKm;
    loopVehicles += other.loopVehicles;
    loopSeconds += other.loopSeconds;
    occupancySeconds += other.occupancySeconds;
    samples += other.samples;
  }

  public SegmentAcc merge(SegmentAcc other) {
    SegmentAcc m = new SegmentAcc();
    m.addAll(this);
    m.addAll(other);
    return m;
  }
}
