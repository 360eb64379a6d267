package io.citybrain.connectors.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.exceptions.InfluxException;
import io.citybrain.connectors.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of line-protocol points to InfluxDB's v2 write API (or the embedded store),
 * synchronously and with retries: I/O errors (connection refused, reset, timeout), HTTP 429 and
 * 5xx are retried with exponential backoff and jitter up to {@code maxRetries} times; any other
 * 4xx fails at once with a message naming the setting to check or the offending line. The token
 * is never part of a message or a log line.
 *
 * <p>Thread safety: one caller at a time (the sink's task thread, or the dispatcher's thread).
 */
public final class InfluxWrites implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxWrites.class);
  static final long FIRST_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 10_000;
  private static final Pattern LINE_NUMBER = Pattern.compile("line[: ]+(\\d+)", Pattern.CASE_INSENSITIVE);

  private final InfluxSettings settings;
  private final int maxRetries;
  private final InfluxDBClient client;
  private final WriteApiBlocking writes;

  public InfluxWrites(InfluxSettings settings, int maxRetries, Duration requestTimeout) {
    this.settings = settings;
    this.maxRetries = maxRetries;
    long timeoutMs = requestTimeout.toMillis();
    this.client = InfluxClients.create(settings, new OkHttpClient.Builder()
        .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        .writeTimeout(timeoutMs, TimeUnit.MILLISECONDS)
        // Retries are ours, with backoff; OkHttp's silent one would double-send on a timeout.
        .retryOnConnectionFailure(false));
    this.writes = client.getWriteApiBlocking();
  }

  /**
   * The point as one line, refusing points that a replay could not overwrite: without a timestamp
   * the store would stamp it with its own clock, and the batch is written in milliseconds.
   */
  public static String lineOf(Point point) {
    if (!point.hasFields()) {
      throw new IllegalArgumentException("a point without fields cannot be written (measurement "
          + "and tags alone are not a line)");
    }
    if (point.getTime() == null) {
      throw new IllegalArgumentException("a point without a timestamp cannot be overwritten on replay: "
          + point.toLineProtocol()
          + " (set the window end with Point.time(..., WritePrecision.MS))");
    }
    String line = point.toLineProtocol();
    if (point.getPrecision() != WritePrecision.MS) {
      throw new IllegalArgumentException("points must have millisecond precision, got " + point.getPrecision()
          + ": " + line);
    }
    return line;
  }

  /**
   * Writes {@code lines} (millisecond timestamps), returning once the store acknowledged them all.
   *
   * @throws IOException when the store refused them (4xx) or failed {@code maxRetries + 1} times
   */
  public void write(List<String> buffer) throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    for (int attempt = 0; ; attempt++) {
      try {
        writes.writeRecords(settings.bucket(), settings.org(), WritePrecision.MS, buffer);
        if (attempt > 0) {
          LOG.info("wrote {} points to {} after {} retries", buffer.size(), settings.url(), attempt);
        }
        return;
      } catch (InfluxException e) {
        if (!isRetryable(e.status())) {
          throw new IOException(refusal(e.status(), e.getMessage(), buffer, settings));
        }
        if (attempt >= maxRetries) {
          throw new IOException("the store at " + settings.url() + " failed " + (attempt + 1) + " times in a row ("
              + describe(e) + "); the job restarts from its last checkpoint. Raise influx.max-retries to wait longer", e);
        }
        long delay = Backoff.millis(attempt, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
        LOG.warn("writing {} points to {} failed ({}); retry {} of {} in {} ms", buffer.size(), settings.url(),
            describe(e), attempt + 1, maxRetries, delay);
        sleep(delay);
      }
    }
  }

  /** Status 0 is what influxdb-client-java reports for I/O errors: refused, reset, timed out. */
  static boolean isRetryable(int status) {
    return status == 0 || status == 429 || status >= 500;
  }

  /**
   * Exponential backoff from {@value #FIRST_BACKOFF_MS} ms, capped at {@value #MAX_BACKOFF_MS} ms,
   * of which a random half is jitter so that many writers do not retry in step.
   *
   * @param random returns a value in [0, bound)
   */
  static long backoffMillis(int attempt, LongUnaryOperator random) {
    return Backoff.millis(attempt, FIRST_BACKOFF_MS, MAX_BACKOFF_MS, random);
  }

  /** The message of a refused batch (4xx other than 429): what to check, never the token. */
  static String refusal(int status, String serverMessage, List<String> batch, InfluxSettings settings) {
    String where = "the store at " + settings.url();
    if (status == 401 || status == 403) {
      return where + " refused the credentials (HTTP " + status + "): check " + InfluxSettings.TOKEN_KEY
          + " (and that it may write to " + InfluxSettings.ORG_KEY + "=" + settings.org() + ", "
          + InfluxSettings.BUCKET_KEY + "=" + settings.bucket() + ")";
    }
    if (status == 404) {
      return where + " has no bucket '" + settings.bucket() + "' in org '" + settings.org()
          + "' or no v2 write API (HTTP 404): check " + InfluxSettings.BUCKET_KEY + ", " + InfluxSettings.ORG_KEY
          + " and " + InfluxSettings.URL_KEY;
    }
    if (status == 413) {
      return where + " refused a batch of " + batch.size() + " points as too large (HTTP 413): lower influx.batch-size";
    }
    String detail = serverMessage == null ? "" : serverMessage.replace(settings.token(), "***");
    return where + " refused a batch (HTTP " + status + ": " + detail + "); offending line: "
        + offendingLine(detail, batch);
  }

  /** The line the server names ("line 3"), else the first of the batch. */
  static String offendingLine(String serverMessage, List<String> batch) {
    Matcher m = LINE_NUMBER.matcher(serverMessage);
    if (m.find()) {
      try {
        int n = Integer.parseInt(m.group(1));
        if (n >= 1 && n <= batch.size()) {
          return batch.get(n - 1);
        }
      } catch (NumberFormatException e) {
        // Not a line number after all; fall through to the first line.
      }
    }
    return batch.get(0);
  }

  private static String describe(InfluxException e) {
    return e.status() == 0 ? String.valueOf(e.getCause() != null ? e.getCause() : e.getMessage())
        : "HTTP " + e.status() + ": " + e.getMessage();
  }

  private static void sleep(long delay) throws IOException {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting to retry a write", e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
