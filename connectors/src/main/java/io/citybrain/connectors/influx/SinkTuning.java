package io.citybrain.connectors.influx;

import io.citybrain.connectors.ProcessSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How {@link InfluxSink} batches, retries and waits: the keys {@code influx.batch-size}, {@code
 * influx.flush-interval}, {@code influx.max-retries} and {@code influx.request-timeout} (durations
 * in seconds, as the jobs' other keys). A value out of range fails construction naming its key.
 */
public record SinkTuning(
    int batchSize, Duration flushInterval, int maxRetries, Duration requestTimeout)
    implements Serializable {

  public static final String BATCH_SIZE_KEY = "influx.batch-size";
  public static final String FLUSH_INTERVAL_KEY = "influx.flush-interval";
  public static final String MAX_RETRIES_KEY = "influx.max-retries";
  public static final String REQUEST_TIMEOUT_KEY = "influx.request-timeout";

  /** 1,000 points, 1 s, 20 retries (with backoff capped at 10 s, about 2.5 minutes), 10 s. */
  public static final SinkTuning DEFAULTS =
      new SinkTuning(1000, Duration.ofSeconds(1), 20, Duration.ofSeconds(10));

  public SinkTuning {
    if (batchSize < 1 || batchSize > 100_000) {
      throw new IllegalArgumentException(
          BATCH_SIZE_KEY + " must be within 1..100000, got " + batchSize);
    }
    if (flushInterval == null
        || flushInterval.toMillis() < 10
        || flushInterval.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(
          FLUSH_INTERVAL_KEY + " must be within 10ms..1min, got " + flushInterval);
    }
    if (maxRetries < 0 || maxRetries > 100) {
      throw new IllegalArgumentException(
          MAX_RETRIES_KEY + " must be within 0..100, got " + maxRetries);
    }
    if (requestTimeout == null
        || requestTimeout.toMillis() < 100
        || requestTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException(
          REQUEST_TIMEOUT_KEY + " must be within 100ms..5min, got " + requestTimeout);
    }
  }

  /** The four keys from {@code get} (null: unset), the defaults for those unset. */
  public static SinkTuning from(UnaryOperator<String> get) {
    return new SinkTuning(
        ProcessSettings.intNumber(get, BATCH_SIZE_KEY, DEFAULTS.batchSize),
        seconds(get, FLUSH_INTERVAL_KEY, DEFAULTS.flushInterval),
        ProcessSettings.intNumber(get, MAX_RETRIES_KEY, DEFAULTS.maxRetries),
        seconds(get, REQUEST_TIMEOUT_KEY, DEFAULTS.requestTimeout));
  }

  private static Duration seconds(UnaryOperator<String> get, String key, Duration fallback) {
    String v = get.apply(key);
    if (v == null) {
      return fallback;
    }
    try {
      double s = Double.parseDouble(v.trim());
      if (!Double.isFinite(s)) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(Math.round(s * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number of seconds, got '" + v + "'");
    }
  }
}
