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
 * deterministic. The writer flushes its buffer on every checkpoint, so a checkpoint
 * completes only after its points are in the store; after a failure the job replays from the last
 * checkpoint and the replayed points carry the same series and timestamps, so they overwrite.
 * Batching is by size ({@code influx.batch-size}, which also bounds the buffer) and time
 * ({@code influx.flush-interval}); see {@link InfluxSinkWriter} for retries and backpressure.
 * Built with {@link #builder()}, which checks each setting.
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
    this.batchSize = b.batchSize;
    this.flushInterval = b.flushInterval;
    this.maxRetries = b.maxRetries;
    this.requestTimeout = b.requestTimeout;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return new InfluxSinkWriter<>(settings, converter, batchSize, flushInterval, maxRetries, requestTimeout,
        context.getProcessingTimeService(), context.metricGroup().counter("pointsRefused"));
  }

  /** Settings of the sink; {@link #build()} fails naming the first missing one. */
  public static final class Builder<T> {
    private InfluxSettings settings;
    private PointConverter<T> converter;
    private int batchSize = 1000;
    private Duration flushInterval = Duration.ofSeconds(1);
    // With backoff capped at 10 s, 20 retries wait about 2.5 minutes before the job restarts.
    private int maxRetries = 20;
    private Duration requestTimeout = Duration.ofSeconds(10);

    public Builder<T> settings(InfluxSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    public Builder<T> converter(PointConverter<T> converter) {
      this.converter = Objects.requireNonNull(converter, "converter");
      return this;
    }

    /** Points per HTTP request, 1..100000. */
    public Builder<T> batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 100_000) {
        throw new IllegalArgumentException("influx.batch-size must be within 1..100000, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** The longest a point waits in the buffer, 10 ms..1 min. */
    public Builder<T> flushInterval(Duration flushInterval) {
      if (flushInterval.toMillis() < 10 || flushInterval.toMinutes() > 1) {
        throw new IllegalArgumentException("influx.flush-interval must be within 10ms..1min, got " + flushInterval);
      }
      this.flushInterval = flushInterval;
      return this;
    }

    /** Retries of a batch on 5xx, 429 and timeouts before the job fails and restarts, 0..100. */
    public Builder<T> maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 100) {
        throw new IllegalArgumentException("influx.max-retries must be within 0..100, got " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** Connect, read and write timeout of one HTTP request, 100 ms..5 min; a timeout is retried. */
    public Builder<T> requestTimeout(Duration requestTimeout) {
      if (requestTimeout.toMillis() < 100 || requestTimeout.toMinutes() > 5) {
        throw new IllegalArgumentException("influx.request-timeout must be within 100ms..5min, got " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    public InfluxSink<T> build() {
      if (settings == null) {
        throw new IllegalStateException("InfluxSink needs settings (influx.url, influx.org, influx.bucket, influx.token)");
      }
      if (converter == null) {
        throw new IllegalStateException("InfluxSink needs a converter");
      }
      return new InfluxSink<>(this);
    }
  }
}
