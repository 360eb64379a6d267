package io.citybrain.jobs.traffic;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Mean of the reported speeds in a window, each report counting once. This is a time-mean of the
 * reports; the vehicle-km-weighted index over road segments replaces it with the road network.
 */
public final class MeanSpeed implements AggregateFunction<SpeedReading, MeanSpeed.Acc, MeanSpeed.Acc> {

  /** Running sum and count; a POJO so Flink serializes it without Kryo. */
  public static final class Acc {
    public double sum;
    public long count;

    public Acc() {}

    public Acc(double sum, long count) {
      this.sum = sum;
      this.count = count;
    }

    public double mean() {
      return count == 0 ? Double.NaN : sum / count;
    }
  }

  @Override
  public Acc createAccumulator() {
    return new Acc();
  }

  @Override
  public Acc add(SpeedReading r, Acc acc) {
    acc.sum += r.speedKmh();
    acc.count++;
    return acc;
  }

  @Override
  public Acc getResult(Acc acc) {
    return acc;
  }

  @Override
  public Acc merge(Acc a, Acc b) {
    return new Acc(a.sum + b.sum, a.count + b.count);
  }
}
