package io.citybrain.connectors.bridge;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.InfluxClients;
import io.citybrain.connectors.influx.InfluxSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the bridge's counters as the contract's {@code pipeline} measurement (tag {@code stage},
 * fields {@code events_in}, {@code events_out}, {@code deadletter}, {@code lag_ms}) once per
 * interval: counts are for the interval (so a dashboard sums or rates them), {@code lag_ms} is the
 * longest MQTT-arrival-to-Kafka-ack time in it. A failed write is logged and skipped; the next
 * interval carries on (metrics never hold up ingest).
 *
 * <p>Thread safety: one scheduler thread of its own; {@link #close()} from any thread.
 */
public final class PipelineReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineReporter.class);

  private final BridgeMetrics metrics;
  private final String stage;
  private final InfluxDBClient client;
  private final WriteApiBlocking writes;
  private final ScheduledExecutorService timer;
  private BridgeMetrics.Snapshot previous; // timer thread only

  private PipelineReporter(BridgeMetrics metrics, String stage, InfluxSettings influx, Duration interval) {
    this.metrics = metrics;
    this.stage = stage;
    this.client = InfluxClients.create(influx, new okhttp3.OkHttpClient.Builder());
    this.writes = client.getWriteApiBlocking();
    this.previous = metrics.snapshotAndResetLatency();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pipeline-reporter-" + stage);
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reports {@code metrics} under {@code stage} (e.g. {@code bridge-1}) every {@code interval}. */
  public static PipelineReporter start(BridgeMetrics metrics, String stage, InfluxSettings influx, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("bridge.pipeline.interval-ms must be positive, got " + interval.toMillis());
    }
    return new PipelineReporter(metrics, stage, influx, interval);
  }

  /** The point for the interval from {@code before} to {@code now}, stamped {@code time}. */
  static Point point(String stage, BridgeMetrics.Snapshot before, BridgeMetrics.Snapshot now, Instant time) {
    return Point.measurement("pipeline")
        .addTag("stage", stage)
        .addField("events_in", now.received() - before.received())
        .addField("events_out", now.forwarded() - before.forwarded())
        .addField("deadletter", now.deadLettered() - before.deadLettered())
        .addField("lag_ms", (double) now.maxLatencyMs())
        .time(time.toEpochMilli(), WritePrecision.MS);
  }

  private void report() {
    BridgeMetrics.Snapshot now = metrics.snapshotAndResetLatency();
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
