package io.citybrain.jobs.emergency;

import io.citybrain.contract.Envelope;
import io.citybrain.jobs.bench.JobBench;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Emergency devices placed at random in Hangzhou's six urban districts: 70% smoke detectors, 25%
 * flood gauges, 5% SOS buttons, each reporting every {@code everyMs}; a report raises its alarm
 * (smoke, a pressed button, water 40–60 cm deep) once in {@code alarmOneIn}. The same devices and
 * reports for the same arguments, every time.
 */
public final class EmergencyFleet {

  private EmergencyFleet() {}

  /**
   * Hands {@code rounds} rounds of reports of {@code devices} devices to {@code out}, round by
   * round; within a round device {@code i} reports {@code i / devices} of an interval after the
   * round's start {@code t0 + r * everyMs}.
   */
  public static void report(
      int devices, int rounds, long t0, long everyMs, int alarmOneIn, Consumer<Envelope> out) {
    Random random = new Random(42);
    double[][] pos = JobBench.urbanPlaces(devices, random);
    String[] kind = new String[devices];
    for (int i = 0; i < devices; i++) {
      kind[i] = i % 20 < 14 ? "smoke" : i % 20 < 19 ? "flood" : "sos";
    }
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < devices; i++) {
        long ts = t0 + r * everyMs + (long) i * everyMs / devices;
        boolean alarm = random.nextInt(alarmOneIn) == 0;
        Map<String, Object> values =
            switch (kind[i]) {
              case "smoke" -> Map.of("alarm", alarm);
              case "sos" -> Map.of("pressed", alarm);
              default -> Map.of("depthCm", alarm ? 40 + random.nextDouble() * 20 : 0.0);
            };
        String id = kind[i].charAt(0) + "-" + i;
        out.accept(
            new Envelope(id, "emergency", kind[i], ts, pos[i][1], pos[i][0], values, ts, "mqtt"));
      }
    }
  }
}
