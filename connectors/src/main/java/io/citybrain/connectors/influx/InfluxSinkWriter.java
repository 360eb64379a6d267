package io.citybrain.connectors.influx;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;

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
 * <p>Failures: retried with backoff and jitter (see {@link InfluxWrites}); when retries run out,
 * or at once on a 4xx, the job fails and restarts from its last checkpoint.
 */
final class InfluxSinkWriter<T> implements SinkWriter<T> {

  private final PointConverter<T> converter;
  private final int batchSize;
  private final Duration flushInterval;
  private final ProcessingTimeService time;
  private final InfluxWrites writes;
  private final List<String> buffer;

  InfluxSinkWriter(InfluxSettings settings, PointConverter<T> converter, int batchSize, Duration flushInterval,
      int maxRetries, Duration requestTimeout, ProcessingTimeService time) {
    this.converter = converter;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.time = time;
    this.buffer = new ArrayList<>(batchSize);
    this.writes = new InfluxWrites(settings, maxRetries, requestTimeout);
    scheduleFlush();
  }

  private void scheduleFlush() {
    time.registerTimer(time.getCurrentProcessingTime() + flushInterval.toMillis(), t -> {
      writeBuffer();
      scheduleFlush();
    });
  }

  @Override
  public void write(T element, Context context) throws IOException {
    buffer.add(InfluxWrites.lineOf(converter.toPoint(element)));
    if (buffer.size() >= batchSize) {
      writeBuffer();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    writeBuffer();
  }

  private void writeBuffer() throws IOException {
    writes.write(buffer);
    buffer.clear();
  }

  @Override
  public void close() {
    writes.close();
  }
}
