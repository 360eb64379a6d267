package io.citybrain.benchmarks;

import java.util.List;
import java.util.SplittableRandom;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/** Fixed sets of query points (seeded), so every contender answers the same questions. */
final class Points {

  static final int COUNT = 1 << 16;
  static final int MASK = COUNT - 1;

  final double[] x = new double[COUNT];
  final double[] y = new double[COUNT];

  /** Half uniform over {@code dense}, half uniform over {@code all}. */
  static Points mixed(Envelope dense, Envelope all, long seed) {
    Points p = new Points();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < COUNT; i++) {
      Envelope e = i % 2 == 0 ? dense : all;
      p.x[i] = e.getMinX() + r.nextDouble() * e.getWidth();
      p.y[i] = e.getMinY() + r.nextDouble() * e.getHeight();
    }
    return p;
  }

  /**
   * Uniform within the envelope of a polygon chosen at random: where a country's events would be.
   */
  static Points inEnvelopes(List<Geometry> polygons, long seed) {
    Points p = new Points();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < COUNT; i++) {
      Envelope e = polygons.get(r.nextInt(polygons.size())).getEnvelopeInternal();
      p.x[i] = e.getMinX() + r.nextDouble() * e.getWidth();
      p.y[i] = e.getMinY() + r.nextDouble() * e.getHeight();
    }
    return p;
  }
}
