package io.citybrain.benchmarks;

import io.citybrain.geo.CityModel;
import io.citybrain.geo.Metric;
import io.citybrain.geo.RoadMatch;
import io.citybrain.geo.RoadMatcher;
import io.citybrain.geo.RoadSegment;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.index.strtree.STRtree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Map matching of probe positions on the Hangzhou road network of seed 42 (7,316 segments): {@link
 * RoadMatcher} against (a) a loop over every segment and (b) an STR-tree of segments queried with a
 * 30 m box; both baselines apply the same metric distance and bearing rule. Probes: 90% within 25 m
 * of a random segment with a heading within 40° of its direction, 10% anywhere in the road
 * network's box (mostly unmatched).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class GeoMapMatchingBenchmark {

  private RoadMatcher matcher;
  private List<RoadSegment> roads;
  private STRtree tree;
  private double[] x;
  private double[] y;
  private double[] heading;
  private int next;

  @Setup
  public void setUp() {
    setUp(CityModel.hangzhou().roads());
  }

  /** The same probes on another road network (the city-scale benchmark's). */
  void setUp(List<RoadSegment> network) {
    roads = network;
    matcher = new RoadMatcher(roads);
    tree = new STRtree();
    Envelope extent = new Envelope();
    for (int i = 0; i < roads.size(); i++) {
      tree.insert(roads.get(i).geometry().getEnvelopeInternal(), i);
      extent.expandToInclude(roads.get(i).geometry().getEnvelopeInternal());
    }
    tree.build();
    SplittableRandom r = new SplittableRandom(42);
    x = new double[Points.COUNT];
    y = new double[Points.COUNT];
    heading = new double[Points.COUNT];
    for (int i = 0; i < Points.COUNT; i++) {
      if (r.nextInt(10) == 0) {
        x[i] = extent.getMinX() + r.nextDouble() * extent.getWidth();
        y[i] = extent.getMinY() + r.nextDouble() * extent.getHeight();
        heading[i] = r.nextDouble() * 360;
        continue;
      }
      RoadSegment s = roads.get(r.nextInt(roads.size()));
      Coordinate a = s.geometry().getCoordinateN(0);
      Coordinate b = s.geometry().getCoordinateN(1);
      double t = r.nextDouble();
      double off = (r.nextDouble() * 2 - 1) * 25;
      double lat = a.y + t * (b.y - a.y);
      x[i] = a.x + t * (b.x - a.x) + off / Metric.metresPerDegreeLon(lat) * 0.7;
      y[i] = lat + off / Metric.metresPerDegreeLat(lat) * 0.7;
      double bearing =
          Metric.bearingDeg(a.x, a.y, b.x, b.y) + (s.oneway() || r.nextBoolean() ? 0 : 180);
      heading[i] = (bearing + (r.nextDouble() * 2 - 1) * 40 + 360) % 360;
    }
  }

  @Benchmark
  public Optional<RoadMatch> grid() {
    int i = next++ & Points.MASK;
    return matcher.match(x[i], y[i], heading[i]);
  }

  @Benchmark
  public int strtree() {
    int i = next++ & Points.MASK;
    double dx = RoadMatcher.MAX_DISTANCE_M / Metric.metresPerDegreeLon(y[i]);
    double dy = RoadMatcher.MAX_DISTANCE_M / Metric.metresPerDegreeLat(y[i]);
    @SuppressWarnings("unchecked")
    List<Integer> candidates = tree.query(new Envelope(x[i] - dx, x[i] + dx, y[i] - dy, y[i] + dy));
    return best(candidates, i);
  }

  @Benchmark
  public int naiveLoop() {
    int i = next++ & Points.MASK;
    int best = -1;
    double bestM = RoadMatcher.MAX_DISTANCE_M;
    for (int s = 0; s < roads.size(); s++) {
      double m = qualifyingDistance(roads.get(s), i);
      if (m <= bestM && (best < 0 || m < bestM)) {
        best = s;
        bestM = m;
      }
    }
    return best;
  }

  private int best(List<Integer> candidates, int i) {
    int best = -1;
    double bestM = RoadMatcher.MAX_DISTANCE_M;
    for (int s : candidates) {
      double m = qualifyingDistance(roads.get(s), i);
      if (m < bestM || (m == bestM && (best < 0 || s < best))) {
        best = s;
        bestM = m;
      }
    }
    return best;
  }

  /** Metric distance to a segment whose bearing fits the heading, or infinity. */
  private double qualifyingDistance(RoadSegment s, int i) {
    Coordinate a = s.geometry().getCoordinateN(0);
    Coordinate b = s.geometry().getCoordinateN(1);
    double bearing = Metric.bearingDeg(a.x, a.y, b.x, b.y);
    boolean fits =
        Metric.angleBetween(heading[i], bearing) <= RoadMatcher.MAX_ANGLE_DEG
            || (!s.oneway()
                && Metric.angleBetween(heading[i], bearing + 180) <= RoadMatcher.MAX_ANGLE_DEG);
    if (!fits) {
      return Double.POSITIVE_INFINITY;
    }
    double kx = Metric.metresPerDegreeLon(y[i]);
    double ky = Metric.metresPerDegreeLat(y[i]);
    double ax = (a.x - x[i]) * kx;
    double ay = (a.y - y[i]) * ky;
    double dx = (b.x - a.x) * kx;
    double dy = (b.y - a.y) * ky;
    double len2 = dx * dx + dy * dy;
    double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
    double px = ax + t * dx;
    double py = ay + t * dy;
    return Math.sqrt(px * px + py * py);
  }
}
