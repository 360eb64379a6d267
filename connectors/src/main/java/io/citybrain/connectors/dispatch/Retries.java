package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.Backoff;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry loop of every channel (webhooks, robots, e-mail): attempts with exponential backoff
 * and jitter (500 ms..10 s) until one delivers, one fails for good, the retries run out or the
 * dispatcher stops. Stateless.
 */
final class Retries {

  private static final Logger LOG = LoggerFactory.getLogger(Retries.class);
  static final long FIRST_BACKOFF_MS = 500;
  static final long MAX_BACKOFF_MS = 10_000;

  private Retries() {}

  /**
   * What one attempt came to.
   *
   * @param failure null when delivered; else what went wrong
   * @param retryable whether another attempt may help (I/O errors, 408, 429, 5xx); if not, {@code
   *     failure} is the whole message of the dead letter
   */
  record Attempt(String failure, boolean retryable) {
    static final Attempt DELIVERED = new Attempt(null, false);

    static Attempt retry(String failure) {
      return new Attempt(failure, true);
    }

    static Attempt giveUp(String message) {
      return new Attempt(message, false);
    }
  }

  /** One try at delivering; throws nothing (its failure is in the {@link Attempt}). */
  interface Call {
    Attempt attempt() throws InterruptedException;
  }

  /**
   * @param where what is called, as a dead letter may show it ({@code POST https://host/path},
   *     never a URL's query, which may hold a key)
   * @return empty when delivered, else why it gave up (for the dead-letter record)
   */
  static Optional<String> run(
      int retries,
      BooleanSupplier running,
      String where,
      String channel,
      String alertId,
      Call call) {
    String last = "not attempted";
    for (int attempt = 0; attempt <= retries && running.getAsBoolean(); attempt++) {
      if (attempt > 0) {
        long delay = Backoff.millis(attempt - 1, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
        LOG.warn(
            "{} for alert {} failed ({}); retry {} of {} in {} ms",
            where,
            alertId,
            last,
            attempt,
            retries,
            delay);
        try {
          // The backoff itself: nothing to wait on but time (the dispatcher's stop interrupts it).
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      Attempt a;
      try {
        a = call.attempt();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = "interrupted";
        break;
      }
      if (a.failure() == null) {
        return Optional.empty();
      }
      if (!a.retryable()) {
        return Optional.of(where + " " + a.failure() + " (channel " + channel + ")");
      }
      last = a.failure();
    }
    return Optional.of(
        where
            + " failed after "
            + (retries + 1)
            + " attempts, last: "
            + last
            + " (channel "
            + channel
            + ")");
  }
}
