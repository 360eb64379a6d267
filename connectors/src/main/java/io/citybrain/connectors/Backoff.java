package io.citybrain.connectors;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/** Exponential backoff with jitter, shared by everything here that retries a remote call. */
public final class Backoff {
  private Backoff() {}

  /**
   * The wait before retry {@code attempt + 1}: {@code first * 2^attempt}, capped at {@code max}, of
   * which a random half is jitter so that many clients do not retry in step.
   *
   * @param random returns a value in [0, bound)
   */
  public static long millis(int attempt, long first, long max, LongUnaryOperator random) {
    long ceiling = Math.min(max, first << Math.min(attempt, 16));
    return ceiling / 2 + random.applyAsLong(ceiling / 2 + 1);
  }

  public static long millis(int attempt, long first, long max) {
    return millis(attempt, first, max, bound -> ThreadLocalRandom.current().nextLong(bound));
  }
}
