package io.citybrain.connectors.influx;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that writes points to InfluxDB through influxdb-client-java's v2 write API.
 *
 * <p>Guarantee: at-least-once, and effectively exactly-once in the store when points are
 * deterministic. The writer flushes its buffer on every checkpoint, so a checkpoint completes only
 * after its points are in the store; after a failure the job replays from the last checkpoint and
 * the replayed points carry the same series and timestamps, so they overwrite. Batching is by size
 * ({@code influx.batch-size}, which also bounds the buffer) and time ({@code
 * influx.flush-interval}); see {@link InfluxSinkWriter} for retries and backpressure. Built with
 * {@link #builder()}, which checks each setting.
 */
public final class InfluxSink<T> implements Sink<T> {

  private final InfluxSettings settings;
  private final PointConverter<T> converter;
  private final int batchSize;
  private final Duration flushInterval;
  private final int maxRetries;
  private final Duration requestTimeout;

  private InfluxSink(Builder<T> b) {
    this.settings = b.settings;
    this.converter = b.converter;
    this.batchSize = b.tuning.batchSize();
    this.flushInterval = b.tuning.flushInterval();
    this.maxRetries = b.tuning.maxRetries();
    this.requestTimeout = b.tuning.requestTimeout();
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return new InfluxSinkWriter<>(
        settings,
        converter,
        batchSize,
        flushInterval,
        maxRetries,
        requestTimeout,
        context.getProcessingTimeService(),
        context.metricGroup().counter("pointsRefused"));
  }

  /** Settings of the sink; {@link #build()} fails naming the first missing one. */
  public static final class Builder<T> {
    private InfluxSettings settings;
    private PointConverter<T> converter;
    private SinkTuning tuning = SinkTuning.DEFAULTS;

    public Builder<T> settings(InfluxSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    public Builder<T> converter(PointConverter<T> converter) {
      this.converter = Objects.requireNonNull(converter, "converter");
      return this;
    }

    /** Batching, retries and timeouts ({@link SinkTuning}, checked when built). */
    public Builder<T> tuning(SinkTuning tuning) {
      this.tuning = Objects.requireNonNull(tuning, "tuning");
      return this;
    }

    /** Points per HTTP request, 1..100000. */
    public Builder<T> batchSize(int batchSize) {
      return tuning(
          new SinkTuning(
              batchSize, tuning.flushInterval(), tuning.maxRetries(), tuning.requestTimeout()));
    }

    /** The longest a point waits in the buffer, 10 ms..1 min. */
    public Builder<T> flushInterval(Duration flushInterval) {
      return tuning(
          new SinkTuning(
              tuning.batchSize(), flushInterval, tuning.maxRetries(), tuning.requestTimeout()));
    }

    /** Retries of a batch on 5xx, 429 and timeouts before the job fails and restarts, 0..100. */
    public Builder<T> maxRetries(int maxRetries) {
      return tuning(
          new SinkTuning(
              tuning.batchSize(), tuning.flushInterval(), maxRetries, tuning.requestTimeout()));
    }

    /** Connect, read and write timeout of one HTTP request, 100 ms..5 min; a timeout is retried. */
    public Builder<T> requestTimeout(Duration requestTimeout) {
      return tuning(
          new SinkTuning(
              tuning.batchSize(), tuning.flushInterval(), tuning.maxRetries(), requestTimeout));
    }

    public InfluxSink<T> build() {
      if (settings == null) {
        throw new IllegalStateException(
            "InfluxSink needs settings (influx.url, influx.org, influx.bucket, influx.token)");
      }
      if (converter == null) {
        throw new IllegalStateException("InfluxSink needs a converter");
      }
      return new InfluxSink<>(this);
    }
  }
}
