package io.citybrain.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delaysGrowExponentiallyWithinHalfToAllOfTheirStepAndStopAtTheCap() {
    Random random = new Random(42);
    for (int attempt = 0; attempt < 40; attempt++) {
      long step = Math.min(30_000, 500L << Math.min(attempt, 30));
      long d = Backoff.millis(attempt, 500, 30_000, random::nextLong);
      assertThat(d).as("attempt %d", attempt).isBetween(step / 2, step);
    }
  }

  @Test
  void clientsThatFailTogetherDoNotRetryTogether() {
    Set<Long> delays = new HashSet<>();
    Random seeds = new Random(7);
    for (int client = 0; client < 10; client++) {
      Random random = new Random(seeds.nextLong());
      delays.add(Backoff.millis(3, 500, 30_000, random::nextLong));
    }
    assertThat(delays).hasSizeGreaterThan(5);
  }
}
