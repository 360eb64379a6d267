package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs an alert to a {@link Channel} in its format (signed when it has a secret), retrying I/O
 * errors, 408, 429 and 5xx with exponential backoff and jitter; any other non-2xx answer, or a
 * robot's refusal in a 200 answer, is final at once. Thread safety: safe for
 * concurrent use (the JDK client is), although the dispatcher calls it from one thread.
 */
final class Webhooks {

  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  static final long FIRST_BACKOFF_MS = 500;
  static final long MAX_BACKOFF_MS = 10_000;

  private final HttpClient http;
  private final int retries;
  private final Duration timeout;

  Webhooks(int retries, Duration timeout) {
    this.retries = retries;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * Delivers {@code alert} (whose contract JSON is {@code json}) to {@code channel}.
   *
   * @param running false stops retrying (shutdown); the call then counts as failed
   * @return empty when delivered, else why it gave up (for the dead-letter record)
   */
  Optional<String> post(Channel channel, io.citybrain.connectors.alert.Alert alert, byte[] json, BooleanSupplier running) {
    String alertId = alert.alertId();
    byte[] body = channel.body(alert, json);
    URI url = channel.url();
    String last = "not attempted";
    for (int attempt = 0; attempt <= retries && running.getAsBoolean(); attempt++) {
      if (attempt > 0) {
        long delay = Backoff.millis(attempt - 1, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
        LOG.warn("webhook {} for alert {} failed ({}); retry {} of {} in {} ms", DispatchSettings.redacted(url),
            alertId, last, attempt, retries, delay);
        if (!sleep(delay)) {
          break;
        }
      }
      try {
        // Signed afresh on every attempt: DingTalk refuses a timestamp older than an hour.
        long now = System.currentTimeMillis();
        HttpRequest.Builder request = HttpRequest.newBuilder(channel.target(now)).timeout(timeout)
            .header("Content-Type", "application/json")
            .header("X-Citybrain-Alert-Id", alertId)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        channel.headers(body, now).forEach(request::header);
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          Optional<String> refused = channel.refusal(response.body());
          return refused.map(r -> "POST " + DispatchSettings.redacted(url) + " was refused: " + r + " (channel " + channel.name() + ")");
        }
        last = "HTTP " + status;
        if (!isRetryable(status)) {
          return Optional.of("POST " + DispatchSettings.redacted(url) + " answered " + last + ", not retried (channel "
              + channel.name() + ")");
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = "interrupted";
        break;
      }
    }
    return Optional.of("POST " + DispatchSettings.redacted(url) + " failed after " + (retries + 1) + " attempts, last: " + last
        + " (channel " + channel.name() + ")");
  }

  static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  private static boolean sleep(long ms) {
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
