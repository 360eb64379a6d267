package io.citybrain.connectors.influx;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers line-protocol points and writes them in batches through {@link InfluxWrites}.
 *
 * <p>Thread safety: none needed — it runs in the task thread only (writes, flushes and timer
 * callbacks all come through the mailbox).
 *
 * <p>Backpressure: the buffer holds at most {@code batchSize} points. When it is full, or on the
 * flush timer, or on a checkpoint, the writer writes synchronously and retries until the store
 * takes the batch; while it waits the task takes no input, so Flink backpressures upstream instead
 * of this writer buffering without bound. A checkpoint barrier passes the sink only after {@link
 * #flush} returned, i.e. after the store acknowledged every point received before it.
 *
 * <p>Failures: retried with backoff and jitter (see {@link InfluxWrites}); when retries run out, or
 * at once on a refusal of the credentials, the bucket or the batch size, the job fails and restarts
 * from its last checkpoint. A point the store refuses for its content (HTTP 400/422) is different:
 * the batch is split until that point stands alone, the others are stored, and the refused point is
 * logged in full and counted ({@code pointsRefused}); so is a point whose strings line protocol
 * cannot carry ({@link InfluxWrites.UnwritablePoint}), before it is sent. Failing the job instead
 * would replay the same point after every restart and stop all the job's indicators for one value
 * (a district name the store cannot take, say): one bad point must not stall the city.
 */
final class InfluxSinkWriter<T> implements SinkWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxSinkWriter.class);

  private final PointConverter<T> converter;
  private final int batchSize;
  private final Duration flushInterval;
  private final ProcessingTimeService time;
  private final InfluxWrites writes;
  private final List<String> buffer;
  private final Counter refusedPoints;

  InfluxSinkWriter(
      InfluxSettings settings,
      PointConverter<T> converter,
      int batchSize,
      Duration flushInterval,
      int maxRetries,
      Duration requestTimeout,
      ProcessingTimeService time,
      Counter refusedPoints) {
    this.converter = converter;
    this.refusedPoints = refusedPoints;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.time = time;
    this.buffer = new ArrayList<>(batchSize);
    this.writes = new InfluxWrites(settings, maxRetries, requestTimeout);
    scheduleFlush();
  }

  private void scheduleFlush() {
    time.registerTimer(
        time.getCurrentProcessingTime() + flushInterval.toMillis(),
        t -> {
          writeBuffer();
          scheduleFlush();
        });
  }

  @Override
  public void write(T element, Context context) throws IOException {
    try {
      buffer.add(InfluxWrites.lineOf(converter.toPoint(element)));
    } catch (InfluxWrites.UnwritablePoint e) {
      refusedPoints.inc();
      LOG.error("one point left out, so that the others are stored: {}", e.getMessage());
      return;
    }
    if (buffer.size() >= batchSize) {
      writeBuffer();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    writeBuffer();
  }

  private void writeBuffer() throws IOException {
    for (InfluxWrites.RefusedLine r : writes.writeSplitting(buffer)) {
      refusedPoints.inc();
      LOG.error(
          "the store refused one point, left out so that the others are stored: {} ({})",
          r.line(),
          r.reason());
    }
    buffer.clear();
  }

  @Override
  public void close() {
    writes.close();
  }
}
