package io.citybrain.jobs.utility;

import io.citybrain.contract.Envelope;
import io.citybrain.jobs.bench.JobBench;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Utility meters placed at random in Hangzhou's six urban districts: half water, 40% power, 10%
 * gas, one reading per minute each with ordinary values. The same meters and readings for the same
 * arguments, every time.
 */
public final class MeterFleet {

  private MeterFleet() {}

  /**
   * Hands {@code rounds} one-minute rounds of readings of {@code meters} meters to {@code out},
   * round by round; within a round meter {@code i} reads {@code i / meters} of 59 s after the
   * round's start {@code t0 + r * 60 s}.
   */
  public static void read(int meters, int rounds, long t0, Consumer<Envelope> out) {
    Random random = new Random(42);
    double[][] pos = JobBench.urbanPlaces(meters, random);
    String[] kind = new String[meters];
    for (int i = 0; i < meters; i++) {
      kind[i] = i % 10 < 5 ? "water" : i % 10 < 9 ? "power" : "gas";
    }
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < meters; i++) {
        long ts = t0 + r * 60_000L + (i * 59_000L / meters);
        Map<String, Object> values =
            switch (kind[i]) {
              case "water" ->
                  Map.of(
                      "flowM3h",
                      1 + random.nextDouble(),
                      "pressureKPa",
                      390 + random.nextDouble() * 20);
              case "power" ->
                  Map.of("kW", random.nextDouble() * 3, "voltageV", 215 + random.nextDouble() * 10);
              default ->
                  Map.of(
                      "pressureKPa",
                      2 + random.nextDouble() * 0.5,
                      "ppm",
                      random.nextDouble() * 30);
            };
        out.accept(
            new Envelope(
                "m-" + i, "utility", kind[i], ts, pos[i][1], pos[i][0], values, ts, "mqtt"));
      }
    }
  }
}
