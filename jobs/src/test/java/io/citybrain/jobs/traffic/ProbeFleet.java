package io.citybrain.jobs.traffic;

import io.citybrain.contract.Envelope;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Metric;
import io.citybrain.geo.RoadSegment;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * Probe vehicles driving along road segments (100–500 m) of the generated city of seed 42 at 15–55
 * km/h, one fix every {@link #FIX_MS} each, heading along the road: every fix lies on its road, so
 * map matching places all of them. The same fleet for the same arguments, every time.
 */
public final class ProbeFleet {

  public static final long FIX_MS = 10_000;

  private ProbeFleet() {}

  /**
   * Hands {@code rounds} rounds of fixes of {@code vehicles} vehicles to {@code out}, round by
   * round; within a round vehicle {@code v} reports {@code v / vehicles} of a fix interval after
   * the round's start {@code t0 + k * FIX_MS}.
   */
  public static void drive(int vehicles, int rounds, long t0, Consumer<Envelope> out) {
    List<RoadSegment> roads =
        CityModel.generate(42).roads().stream()
            .filter(r -> r.lengthM() >= 100 && r.lengthM() <= 500)
            .toList();
    Random random = new Random(42);
    RoadSegment[] road = new RoadSegment[vehicles];
    double[] at = new double[vehicles];
    double[] kmh = new double[vehicles];
    for (int v = 0; v < vehicles; v++) {
      road[v] = roads.get(random.nextInt(roads.size()));
      at[v] = random.nextDouble();
      kmh[v] = 15 + random.nextDouble() * 40;
    }
    for (int k = 0; k < rounds; k++) {
      for (int v = 0; v < vehicles; v++) {
        long ts = t0 + k * FIX_MS + (long) v * FIX_MS / vehicles;
        RoadSegment r = road[v];
        LengthIndexedLine line = new LengthIndexedLine(r.geometry());
        double len = line.getEndIndex();
        // Degrees of the geometry per metre along it, to advance by the vehicle's speed.
        double step = kmh[v] / 3.6 * FIX_MS / 1000.0 / r.lengthM() * len;
        double i = (at[v] * len + k * step) % len;
        Coordinate c = line.extractPoint(i);
        Coordinate ahead = line.extractPoint(Math.min(len, i + len * 0.01));
        Coordinate behind = line.extractPoint(Math.max(0, i - len * 0.01));
        double heading = Metric.bearingDeg(behind.x, behind.y, ahead.x, ahead.y);
        out.accept(
            new Envelope(
                "v-" + v,
                "traffic",
                "probe",
                ts,
                c.y,
                c.x,
                Map.of("speedKmh", kmh[v], "headingDeg", heading),
                ts,
                "mqtt"));
      }
    }
  }
}
