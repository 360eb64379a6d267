package io.citybrain.connectors.bridge;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.InfluxClients;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.influx.Points;
import io.citybrain.contract.Measurements;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a stage's counters as the contract's {@code pipeline} measurement (tag {@code stage},
 * fields {@code events_in}, {@code events_out}, {@code deadletter}, {@code lag_ms}) once per
 * interval: counts are for the interval (so a dashboard sums or rates them), {@code lag_ms} is the
 * stage's longest delay in it (the bridge: MQTT arrival to Kafka's acknowledgement; dispatch: an
 * alert's time to the broker's acknowledgement of its delivery). A failed write is logged and
 * skipped; the next interval carries on (metrics never hold up ingest or delivery).
 *
 * <p>Thread safety: one scheduler thread of its own; {@link #close()} from any thread.
 */
public final class PipelineReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineReporter.class);

  /** The stage where events enter the city: the bridge's. */
  public static final String BRIDGE_STAGE = "bridge";

  /**
   * A stage's counters since it started, and its longest delay since the previous call.
   *
   * @param in events taken in (redeliveries included)
   * @param out events handed on
   * @param deadLetters events refused with a reason
   */
  public record Counts(long in, long out, long deadLetters, long maxLatencyMs) {}

  private final Supplier<Counts> counts;
  private final String stage;
  private final InfluxDBClient client;
  private final WriteApiBlocking writes;
  private final ScheduledExecutorService timer;
  private Counts previous; // timer thread only

  private PipelineReporter(
      Supplier<Counts> counts, String stage, InfluxSettings influx, Duration interval) {
    this.counts = counts;
    this.stage = stage;
    this.client = InfluxClients.create(influx, new okhttp3.OkHttpClient.Builder());
    this.writes = client.getWriteApiBlocking();
    this.previous = counts.get();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pipeline-reporter-" + stage);
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(
        this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Reports the bridge's {@code metrics} under {@code stage} (e.g. {@code bridge}) every {@code
   * interval}.
   */
  public static PipelineReporter start(
      BridgeMetrics metrics, String stage, InfluxSettings influx, Duration interval) {
    return start(() -> counts(metrics.snapshotAndResetLatency()), stage, influx, interval);
  }

  /** Reports {@code counts} under {@code stage} every {@code interval}. */
  public static PipelineReporter start(
      Supplier<Counts> counts, String stage, InfluxSettings influx, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          stage + " pipeline interval must be positive, got " + interval.toMillis() + " ms");
    }
    return new PipelineReporter(counts, stage, influx, interval);
  }

  private static Counts counts(BridgeMetrics.Snapshot s) {
    return new Counts(s.received(), s.forwarded(), s.deadLettered(), s.maxLatencyMs());
  }

  /** The point for the interval from {@code before} to {@code now}, stamped {@code time}. */
  static Point point(
      String stage, BridgeMetrics.Snapshot before, BridgeMetrics.Snapshot now, Instant time) {
    return point(stage, counts(before), counts(now), time);
  }

  static Point point(String stage, Counts before, Counts now, Instant time) {
    return point(
        stage,
        now.in() - before.in(),
        now.out() - before.out(),
        now.deadLetters() - before.deadLetters(),
        now.maxLatencyMs(),
        time.toEpochMilli());
  }

  /**
   * The contract's {@code pipeline} point of one stage and interval, for every stage that writes
   * one (the bridge, dispatch, the jobs' {@code PipelineTally}): one place for its fields and their
   * types, since InfluxDB refuses a field whose type changes ({@code lag_ms} is a float).
   *
   * @param lagMs the stage's longest delay in the interval; negative when it has none (no field)
   */
  public static Point point(
      String stage, long in, long out, long deadLetters, long lagMs, long timeMs) {
    return Points.of(
        Measurements.PIPELINE
            .row(timeMs)
            .tag("stage", stage)
            .field("events_in", in)
            .field("events_out", out)
            .field("deadletter", deadLetters)
            .field("lag_ms", lagMs >= 0 ? (double) lagMs : null)
            .build());
  }

  private void report() {
    Counts now = counts.get();
    try {
      writes.writePoint(point(stage, previous, now, Instant.now()));
    } catch (RuntimeException e) {
      LOG.warn("pipeline metrics for {} not written: {}", stage, e.toString());
    }
    previous = now;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    client.close();
  }
}
