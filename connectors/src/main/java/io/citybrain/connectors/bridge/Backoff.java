package io.citybrain.connectors.bridge;

import java.util.Random;

/**
 * Reconnect delays: exponential from {@code minMs}, capped at {@code maxMs}, with "equal jitter"
 * (half the delay fixed, half random) so that N bridges that lost the same broker do not all knock
 * on it in the same millisecond, while none retries sooner than half its step.
 *
 * <p>Not thread-safe: one instance per reconnecting thread.
 */
final class Backoff {
  private final long minMs;
  private final long maxMs;
  private final Random random;

  Backoff(long minMs, long maxMs, Random random) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The delay before reconnect attempt {@code attempt} (0 for the first after a loss). */
  long delayMs(int attempt) {
    long step = minMs << Math.min(attempt, 30);
    if (step <= 0 || step > maxMs) {
      step = maxMs;
    }
    long half = step / 2;
    return half + (long) (random.nextDouble() * (step - half + 1));
  }
}
