package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delaysGrowExponentiallyWithinHalfToAllOfTheirStepAndStopAtTheCap() {
    Backoff b = new Backoff(500, 30_000, new Random(42));
    for (int attempt = 0; attempt < 40; attempt++) {
      long step = Math.min(30_000, 500L << Math.min(attempt, 30));
      long d = b.delayMs(attempt);
      assertThat(d).as("attempt %d", attempt).isBetween(step / 2, step);
    }
  }

  @Test
  void instancesThatFailTogetherDoNotRetryTogether() {
    Set<Long> delays = new HashSet<>();
    Random seeds = new Random(7);
    for (int instance = 0; instance < 10; instance++) {
      delays.add(new Backoff(500, 30_000, new Random(seeds.nextLong())).delayMs(3));
    }
    assertThat(delays).hasSizeGreaterThan(5);
  }
}
