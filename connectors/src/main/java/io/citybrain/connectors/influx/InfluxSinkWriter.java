package io.citybrain.connectors.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.InfluxException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers line-protocol points and writes them in batches. Runs in the task thread only (writes,
 * flushes and timer callbacks all come through the mailbox), so it needs no locking. Writing
 * blocks: while the store is slow or down the task stops taking input, which is Flink's
 * backpressure, instead of buffering without bound.
 */
final class InfluxSinkWriter<T> implements SinkWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxSinkWriter.class);

  private final InfluxSettings settings;
  private final PointConverter<T> converter;
  private final int batchSize;
  private final Duration flushInterval;
  private final int maxRetries;
  private final ProcessingTimeService time;
  private final InfluxDBClient client;
  private final WriteApiBlocking writes;
  private final List<String> buffer = new ArrayList<>();

  InfluxSinkWriter(InfluxSettings settings, PointConverter<T> converter, int batchSize, Duration flushInterval,
      int maxRetries, ProcessingTimeService time) {
    this.settings = settings;
    this.converter = converter;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.maxRetries = maxRetries;
    this.time = time;
    this.client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
        .url(settings.url())
        .authenticateToken(settings.token().toCharArray())
        .org(settings.org())
        .bucket(settings.bucket())
        .build());
    this.writes = client.getWriteApiBlocking();
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
    buffer.add(converter.toPoint(element).toLineProtocol());
    if (buffer.size() >= batchSize) {
      writeBuffer();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException {
    writeBuffer();
  }

  private void writeBuffer() throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    for (int attempt = 0; ; attempt++) {
      try {
        writes.writeRecords(settings.bucket(), settings.org(), WritePrecision.MS, buffer);
        buffer.clear();
        return;
      } catch (InfluxException e) {
        int status = e.status();
        if (status == 401 || status == 403) {
          throw new IOException("the store at " + settings.url() + " refused the credentials (HTTP " + status
              + "): check " + InfluxSettings.TOKEN_KEY + " and " + InfluxSettings.ORG_KEY, null);
        }
        if (status == 404) {
          throw new IOException("the store at " + settings.url() + " has no bucket '" + settings.bucket()
              + "' or no v2 write API (HTTP 404): check " + InfluxSettings.BUCKET_KEY + " and " + InfluxSettings.URL_KEY, null);
        }
        if (status >= 400 && status < 500 && status != 429) {
          throw new IOException("the store refused a batch (HTTP " + status + ": " + e.getMessage()
              + "); first line: " + buffer.get(0), null);
        }
        if (attempt >= maxRetries) {
          throw new IOException("the store at " + settings.url() + " failed " + (attempt + 1) + " times, last: " + e.getMessage(), e);
        }
        backoff(attempt, e);
      }
    }
  }

  private void backoff(int attempt, Exception cause) throws IOException {
    long delay = Math.min(30_000, 200L << Math.min(attempt, 8));
    delay += ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    LOG.warn("writing {} points to {} failed ({}); retry {} of {} in {} ms", buffer.size(), settings.url(),
        cause.getMessage(), attempt + 1, maxRetries, delay);
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting to retry", e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
