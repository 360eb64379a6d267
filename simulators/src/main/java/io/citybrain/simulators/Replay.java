package io.citybrain.simulators;

import io.citybrain.contract.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Sends a recording ({@link Publisher}'s JSON lines) again, keeping the recorded gaps between
 * messages divided by {@code speed}. Payloads, and so event timestamps, are sent as recorded.
 */
public final class Replay {
  private Replay() {}

  public static void run(Path file, double speed, Publisher publisher, BooleanSupplier stopped)
      throws IOException, InterruptedException {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("--speed must be positive, got " + speed);
    }
    long wall0 = System.nanoTime();
    long first = Long.MIN_VALUE;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null && !stopped.getAsBoolean()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        Recorded r;
        try {
          r = Json.MAPPER.readValue(line, Recorded.class);
        } catch (IOException e) {
          throw new IllegalArgumentException(
              file + " line " + lineNo + " is not a recorded message: " + e.getMessage(), e);
        }
        if (first == Long.MIN_VALUE) {
          first = r.t();
        }
        long dueNanos = wall0 + (long) ((r.t() - first) / speed * 1e6);
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        publisher.publish(r.toMessage());
      }
    }
  }
}
