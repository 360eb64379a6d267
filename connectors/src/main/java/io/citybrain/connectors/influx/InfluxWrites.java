package io.citybrain.connectors.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.exceptions.InfluxException;
import io.citybrain.connectors.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of line-protocol points to InfluxDB's v2 write API (or the embedded store),
 * synchronously and with retries: I/O errors (connection refused, reset, timeout), HTTP 429 and 5xx
 * are retried with exponential backoff and jitter up to {@code maxRetries} times; any other 4xx
 * fails at once with a message naming the setting to check or the offending line. The token is
 * never part of a message or a log line.
 *
 * <p>Thread safety: one caller at a time (the sink's task thread, or the dispatcher's thread).
 */
public final class InfluxWrites implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InfluxWrites.class);
  static final long FIRST_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 10_000;
  private static final Pattern LINE_NUMBER =
      Pattern.compile("line[: ]+(\\d+)", Pattern.CASE_INSENSITIVE);

  private final InfluxSettings settings;
  private final int maxRetries;
  private final InfluxDBClient client;
  private final WriteApiBlocking writes;

  public InfluxWrites(InfluxSettings settings, int maxRetries, Duration requestTimeout) {
    this.settings = settings;
    this.maxRetries = maxRetries;
    long timeoutMs = requestTimeout.toMillis();
    this.client =
        InfluxClients.create(
            settings,
            new OkHttpClient.Builder()
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .writeTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                // Retries are ours, with backoff; OkHttp's silent one would double-send on a
                // timeout.
                .retryOnConnectionFailure(false));
    this.writes = client.getWriteApiBlocking();
  }

  /**
   * The point as one line, refusing points that a replay could not overwrite: without a timestamp
   * the store would stamp it with its own clock, and the batch is written in milliseconds.
   */
  public static String lineOf(Point point) {
    if (!point.hasFields()) {
      throw new IllegalArgumentException(
          "a point without fields cannot be written (measurement "
              + "and tags alone are not a line)");
    }
    if (point.getTime() == null) {
      throw new IllegalArgumentException(
          "a point without a timestamp cannot be overwritten on replay: "
              + point.toLineProtocol()
              + " (set the window end with Point.time(..., WritePrecision.MS))");
    }
    checkPortable(point);
    String line = point.toLineProtocol();
    if (point.getPrecision() != WritePrecision.MS) {
      throw new IllegalArgumentException(
          "points must have millisecond precision, got " + point.getPrecision() + ": " + line);
    }
    return line;
  }

  /**
   * A point whose strings line protocol cannot carry the same way to every store, refused before it
   * is sent so that it cannot take a batch with it.
   */
  public static final class UnwritablePoint extends IllegalArgumentException {
    UnwritablePoint(String message) {
      super(message);
    }
  }

  /**
   * Refuses tag values with a backslash or a control character, and string fields with a line
   * break. The client leaves a backslash in a tag as it is, which the local store reads as an
   * escape (it drops it, or takes the separator after a trailing one) while InfluxDB keeps it; a
   * line break in a string field ends the line for one store and is refused by the other. Tags are
   * ids and codes (the bridge, the city package and the jobs keep them to plain characters), so
   * such a value is a defect upstream, named here rather than stored differently per store.
   */
  static void checkPortable(Point point) {
    for (Map.Entry<String, String> tag : point.getTags().entrySet()) {
      String v = tag.getValue();
      if (v != null && (v.indexOf('\\') >= 0 || v.codePoints().anyMatch(Character::isISOControl))) {
        throw new UnwritablePoint(
            "tag '"
                + tag.getKey()
                + "' holds a backslash or a control character, which line "
                + "protocol cannot carry: "
                + visible(v));
      }
    }
    for (Map.Entry<String, Object> field : point.getFields().entrySet()) {
      if (field.getValue() instanceof String v && (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0)) {
        throw new UnwritablePoint(
            "string field '"
                + field.getKey()
                + "' holds a line break, which line protocol "
                + "cannot carry: "
                + visible(v));
      }
    }
  }

  /** A value quoted with its control characters visible, for a message that must stay one line. */
  private static String visible(String v) {
    StringBuilder b = new StringBuilder("\"");
    v.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.append('"').toString();
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
          LOG.info(
              "wrote {} points to {} after {} retries", buffer.size(), settings.url(), attempt);
        }
        return;
      } catch (InfluxException e) {
        if (!isRetryable(e.status())) {
          String message = refusal(e.status(), e.getMessage(), buffer, settings);
          throw isAboutContent(e.status())
              ? new LineRefused(message, redact(e.getMessage(), settings))
              : new IOException(message);
        }
        if (attempt >= maxRetries) {
          throw new IOException(
              "the store at "
                  + settings.url()
                  + " failed "
                  + (attempt + 1)
                  + " times in a row ("
                  + describe(e)
                  + "); the job restarts from its last checkpoint. Raise influx.max-retries to wait longer",
              e);
        }
        long delay = Backoff.millis(attempt, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
        LOG.warn(
            "writing {} points to {} failed ({}); retry {} of {} in {} ms",
            buffer.size(),
            settings.url(),
            describe(e),
            attempt + 1,
            maxRetries,
            delay);
        sleep(delay);
      }
    }
  }

  /** A line the store refused on its own, with the store's words. */
  public record RefusedLine(String line, String reason) {}

  /**
   * Writes {@code lines} like {@link #write}, but a batch the store refuses for its content (HTTP
   * 400 or 422: a line it cannot parse or a type clash) is split in halves and each half written
   * again, down to single lines, so one bad point cannot take the others with it. Returns the lines
   * refused on their own (empty when all were stored).
   *
   * <p>Re-sending the half that was fine is harmless: every point has its own timestamp and tags,
   * so the store overwrites (InfluxDB) or deduplicates (the local store's dedup keys) what an
   * earlier, partial write kept. InfluxDB 2 writes the good lines of a refused batch ("partial
   * write"); the local store rejects the whole request; both end with every good line stored once.
   * A bad line costs about log2(batch) extra requests.
   *
   * @throws IOException for everything that is not about one line: credentials, a missing bucket, a
   *     batch too large, or a store down for longer than the retries
   */
  public List<RefusedLine> writeSplitting(List<String> lines) throws IOException {
    List<RefusedLine> refused = new ArrayList<>();
    writeSplitting(lines, refused);
    return refused;
  }

  private void writeSplitting(List<String> lines, List<RefusedLine> refused) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    try {
      write(lines);
    } catch (LineRefused e) {
      if (lines.size() == 1) {
        refused.add(new RefusedLine(lines.get(0), e.serverMessage));
        return;
      }
      int half = lines.size() / 2;
      writeSplitting(lines.subList(0, half), refused);
      writeSplitting(lines.subList(half, lines.size()), refused);
    }
  }

  /** A refusal of the batch's content (400, 422), as opposed to the store or the settings. */
  static final class LineRefused extends IOException {
    private final String serverMessage;

    LineRefused(String message, String serverMessage) {
      super(message);
      this.serverMessage = serverMessage;
    }
  }

  static boolean isAboutContent(int status) {
    return status == 400 || status == 422;
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
  static String refusal(
      int status, String serverMessage, List<String> batch, InfluxSettings settings) {
    String where = "the store at " + settings.url();
    if (status == 401 || status == 403) {
      return where
          + " refused the credentials (HTTP "
          + status
          + "): check "
          + InfluxSettings.TOKEN_KEY
          + " (and that it may write to "
          + InfluxSettings.ORG_KEY
          + "="
          + settings.org()
          + ", "
          + InfluxSettings.BUCKET_KEY
          + "="
          + settings.bucket()
          + ")";
    }
    if (status == 404) {
      return where
          + " has no bucket '"
          + settings.bucket()
          + "' in org '"
          + settings.org()
          + "' or no v2 write API (HTTP 404): check "
          + InfluxSettings.BUCKET_KEY
          + ", "
          + InfluxSettings.ORG_KEY
          + " and "
          + InfluxSettings.URL_KEY;
    }
    if (status == 413) {
      return where
          + " refused a batch of "
          + batch.size()
          + " points as too large (HTTP 413): lower influx.batch-size";
    }
    String detail = redact(serverMessage, settings);
    return where
        + " refused a batch (HTTP "
        + status
        + ": "
        + detail
        + "); offending line: "
        + offendingLine(detail, batch);
  }

  private static String redact(String serverMessage, InfluxSettings settings) {
    return serverMessage == null ? "" : serverMessage.replace(settings.token(), "***");
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
    return e.status() == 0
        ? String.valueOf(e.getCause() != null ? e.getCause() : e.getMessage())
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
