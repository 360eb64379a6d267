package io.citybrain.benchmarks;

import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Community;
import io.citybrain.geo.District;
import io.citybrain.geo.PolygonIndex;
import io.citybrain.geo.Utility;
import io.citybrain.geo.UtilityZone;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntUnaryOperator;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * The same contenders as the JMH benchmarks, measured in operations per second of this thread's CPU
 * time rather than of wall-clock time: on a shared machine whose load average is ten times its core
 * count, wall-clock throughput measures the neighbours, CPU time still measures the code. Each
 * contender gets a warm-up of the same length first. Run: {@code java -cp
 * benchmarks/target/benchmarks.jar io.citybrain.benchmarks.GeoCpuTime [seconds
 * [all|hangzhou|china]]}.
 */
public final class GeoCpuTime {

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  static double seconds = 3;

  private GeoCpuTime() {}

  public static void main(String[] args) {
    if (args.length > 0) {
      seconds = Double.parseDouble(args[0]);
    }
    String only = args.length > 1 ? args[1] : "all";
    if (only.equals("all") || only.equals("hangzhou")) {
      hangzhou();
      mapMatching();
    }
    if (only.equals("all") || only.equals("china")) {
      china();
    }
  }

  private static void hangzhou() {
    CityModel city = CityModel.hangzhou();
    CityIndex index = city.index();
    List<Geometry> all = new ArrayList<>();
    List<Integer> layers = new ArrayList<>();
    city.districts().stream()
        .map(District::boundary)
        .forEach(
            g -> {
              all.add(g);
              layers.add(0);
            });
    city.communities().stream()
        .map(Community::boundary)
        .forEach(
            g -> {
              all.add(g);
              layers.add(1);
            });
    for (Utility u : Utility.values()) {
      city.zones().stream()
          .filter(z -> z.utility() == u)
          .map(UtilityZone::boundary)
          .forEach(
              g -> {
                all.add(g);
                layers.add(2 + u.ordinal());
              });
    }
    int[] layerOf = layers.stream().mapToInt(Integer::intValue).toArray();
    Envelope extent = new Envelope();
    all.forEach(g -> extent.expandToInclude(g.getEnvelopeInternal()));
    Points p = Points.mixed(new Envelope(120.0, 120.45, 30.1, 30.45), extent, 42);
    Baselines.PreparedTree tree = new Baselines.PreparedTree(all);
    Baselines.Naive naive = new Baselines.Naive(all);
    System.out.printf(
        "%nHangzhou, point -> all areas (%d polygons: districts, communities, water/power/gas zones)%n",
        all.size());
    double g = measure("grid (CityIndex.locate)", i -> index.locate(p.x[i], p.y[i]).hashCode());
    double t =
        measure("(b) STRtree of PreparedGeometry", i -> tree.locateAll(p.x[i], p.y[i], layerOf, 5));
    double n =
        measure("(a) loop of Polygon.covers", i -> naive.locateAll(p.x[i], p.y[i], layerOf, 5));
    System.out.printf(Locale.ROOT, "  grid / (b) = %.1fx, grid / (a) = %.0fx%n", g / t, g / n);
  }

  private static void mapMatching() {
    GeoMapMatchingBenchmark b = new GeoMapMatchingBenchmark();
    b.setUp();
    System.out.printf(
        "%nHangzhou, map matching (%d segments)%n", CityModel.hangzhou().roads().size());
    double g = measure("grid (RoadMatcher.match)", i -> b.grid().isPresent() ? 1 : 0);
    double t = measure("(b) STRtree of segments", i -> b.strtree());
    double n = measure("(a) loop over all segments", i -> b.naiveLoop());
    System.out.printf(Locale.ROOT, "  grid / (b) = %.1fx, grid / (a) = %.0fx%n", g / t, g / n);
  }

  private static void china() {
    List<Geometry> all = ChinaDistricts.shuffledOrExplain();
    if (all == null) {
      return;
    }
    for (int size : ChinaDistricts.SIZES) {
      List<Geometry> subset = all.subList(0, Math.min(size, all.size()));
      Points p = Points.inEnvelopes(subset, 42);
      System.out.printf("%nChina, point -> district, n = %d%n", subset.size());
      PolygonIndex grid = new PolygonIndex(subset, GeoChinaDistrictsBenchmark.LEAF_DEG);
      double g = measure("grid (PolygonIndex.locate)", i -> grid.locate(p.x[i], p.y[i]));
      Baselines.PreparedTree tree = new Baselines.PreparedTree(subset);
      double t = measure("(b) STRtree of PreparedGeometry", i -> tree.locate(p.x[i], p.y[i]));
      Baselines.Naive naive = new Baselines.Naive(subset);
      double n = measure("(a) loop of Polygon.covers", i -> naive.locate(p.x[i], p.y[i]));
      System.out.printf(Locale.ROOT, "  grid / (b) = %.1fx, grid / (a) = %.0fx%n", g / t, g / n);
    }
  }

  /**
   * Runs the operation over the point set for the warm-up and then the measured CPU seconds;
   * returns ops per CPU second.
   */
  static double measure(String name, IntUnaryOperator op) {
    long sink = 0;
    for (int phase = 0; phase < 2; phase++) {
      long start = CPU.getCurrentThreadCpuTime();
      long deadline = start + (long) (seconds * 1e9);
      long ops = 0;
      int i = 0;
      long now = start;
      // Batches grow while they take under a millisecond, so slow contenders are not overrun.
      int batch = 1;
      while (now < deadline) {
        for (int k = 0; k < batch; k++) {
          sink += op.applyAsInt(i);
          i = (i + 1) & Points.MASK;
        }
        ops += batch;
        long t = CPU.getCurrentThreadCpuTime();
        if (t - now < 1_000_000 && batch < 4096) {
          batch *= 2;
        }
        now = t;
      }
      if (phase == 1) {
        double rate = ops / ((now - start) / 1e9);
        System.out.printf(
            Locale.ROOT,
            "  %-36s %,14.0f ops per CPU-second   (%,d ops, sink %d)%n",
            name,
            rate,
            ops,
            sink & 0xff);
        return rate;
      }
    }
    throw new AssertionError();
  }
}
