package io.citybrain.jobs.common;

import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.connectors.influx.PointConverter;

/**
 * The jobs' sinks to the time-series store: one per measurement, each with the job's store settings
 * and tuning ({@code influx.*}), so that no job can write with other settings than the ones it was
 * given.
 */
public final class StoreSinks {
  private StoreSinks() {}

  /** Rows made by {@code converter} (a measurement's row builder), to the job's store. */
  public static <T> InfluxSink<T> of(JobSettings s, PointConverter<T> converter) {
    return InfluxSink.<T>builder()
        .settings(s.influx())
        .tuning(s.sinkTuning())
        .converter(converter)
        .build();
  }

  /** The job's {@code pipeline} rows ({@link PipelineTally}), to the job's store. */
  public static InfluxSink<PipelineTally.Counts> pipeline(JobSettings s) {
    return of(s, PipelineTally::toPoint);
  }
}
