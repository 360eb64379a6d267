package io.citybrain.connectors.dispatch;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * POSTs an alert to a {@link Channel} in its format (signed when it has a secret), retrying I/O
 * errors, 408, 429 and 5xx ({@link Retries}); any other non-2xx answer, or a robot's refusal in a
 * 200 answer, is final at once. Thread safety: safe for concurrent use (the JDK client is),
 * although the dispatcher calls it from one thread.
 */
final class Webhooks {

  private final HttpClient http;
  private final int retries;
  private final Duration timeout;

  Webhooks(int retries, Duration timeout) {
    this.retries = retries;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Delivers {@code alert} (whose contract JSON is {@code json}) to {@code channel}.
   *
   * @param running false stops retrying (shutdown); the call then counts as failed
   * @return empty when delivered, else why it gave up (for the dead-letter record)
   */
  Optional<String> post(
      Channel channel, io.citybrain.contract.Alert alert, byte[] json, BooleanSupplier running) {
    byte[] body = channel.body(alert, json);
    return Retries.run(
        retries,
        running,
        "POST " + DispatchSettings.redacted(channel.url()),
        channel.name(),
        alert.alertId(),
        () -> {
          try {
            // Signed afresh on every attempt: DingTalk refuses a timestamp older than an hour.
            long now = System.currentTimeMillis();
            HttpRequest.Builder request =
                HttpRequest.newBuilder(channel.target(now))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("X-Citybrain-Alert-Id", alert.alertId())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            channel.headers(body, now).forEach(request::header);
            HttpResponse<byte[]> response =
                http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
              return channel
                  .refusal(response.body())
                  .map(r -> Retries.Attempt.giveUp("was refused: " + r))
                  .orElse(Retries.Attempt.DELIVERED);
            }
            return isRetryable(status)
                ? Retries.Attempt.retry("HTTP " + status)
                : Retries.Attempt.giveUp("answered HTTP " + status + ", not retried");
          } catch (IOException e) {
            return Retries.Attempt.retry(e.toString());
          }
        });
  }

  static boolean isRetryable(int status) {
    return status == 408 || status == 429 || status >= 500;
  }
}
