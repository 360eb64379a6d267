package io.citybrain.benchmarks;

import io.citybrain.geo.PolygonIndex;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.locationtech.jts.geom.Geometry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Point → district over {@code n} county-level districts of China (a seeded random subset; all
 * 3,198 at the top), with the points uniform in the envelope of a randomly chosen district of the
 * subset: {@link PolygonIndex} against (a) a loop of {@code covers} and (b) an STR-tree of prepared
 * polygons. Each contender is built only in the forks that measure it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GeoChinaDistrictsBenchmark {

  /** The subset of districts and the query points, shared by the contenders. */
  @State(Scope.Thread)
  public static class Data {
    @Param({"13", "100", "400", "1600", "3198"})
    public int n;

    List<Geometry> polygons;
    Points points;
    int next;

    @Setup
    public void load() {
      List<Geometry> all = ChinaDistricts.shuffled();
      polygons = all.subList(0, Math.min(n, all.size()));
      points = Points.inEnvelopes(polygons, 42);
    }

    int nextPoint() {
      return next++ & Points.MASK;
    }
  }

  @State(Scope.Thread)
  public static class Grid {
    PolygonIndex index;

    @Setup
    public void build(Data d) {
      index = new PolygonIndex(d.polygons, LEAF_DEG);
    }
  }

  @State(Scope.Thread)
  public static class Tree {
    Baselines.PreparedTree tree;

    @Setup
    public void build(Data d) {
      tree = new Baselines.PreparedTree(d.polygons);
    }
  }

  @State(Scope.Thread)
  public static class Loop {
    Baselines.Naive naive;

    @Setup
    public void build(Data d) {
      naive = new Baselines.Naive(d.polygons);
    }
  }

  /** Leaves of about 1 km: a country's index stays in tens of megabytes. */
  static final double LEAF_DEG = 0.01;

  @Benchmark
  public int grid(Data d, Grid g) {
    int i = d.nextPoint();
    return g.index.locate(d.points.x[i], d.points.y[i]);
  }

  @Benchmark
  public int strtreePrepared(Data d, Tree t) {
    int i = d.nextPoint();
    return t.tree.locate(d.points.x[i], d.points.y[i]);
  }

  @Benchmark
  public int naiveCovers(Data d, Loop l) {
    int i = d.nextPoint();
    return l.naive.locate(d.points.x[i], d.points.y[i]);
  }
}
