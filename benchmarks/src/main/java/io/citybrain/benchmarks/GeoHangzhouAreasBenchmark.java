package io.citybrain.benchmarks;

import io.citybrain.geo.Areas;
import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Community;
import io.citybrain.geo.District;
import io.citybrain.geo.UtilityZone;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Point → every area (district, community, water, power and gas zone) on the Hangzhou model of seed
 * 42: {@link CityIndex#locate} against (a) a loop of {@code covers} and (b) an STR-tree of prepared
 * polygons over the same 1,300-odd polygons. Each baseline returns, like the index, the first
 * covering polygon of each of the five layers. Points: half uniform over the urban districts' box,
 * half over the whole city's box.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class GeoHangzhouAreasBenchmark {

  private CityIndex index;
  private Baselines.Naive naive;
  private Baselines.PreparedTree tree;
  private int[] layerOf;
  private int[] layerStart;
  private Points points;
  private int next;

  @Setup
  public void setUp() {
    CityModel city = CityModel.hangzhou();
    index = city.index();
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
    for (var u : io.citybrain.geo.Utility.values()) {
      city.zones().stream()
          .filter(z -> z.utility() == u)
          .map(UtilityZone::boundary)
          .forEach(
              g -> {
                all.add(g);
                layers.add(2 + u.ordinal());
              });
    }
    layerOf = layers.stream().mapToInt(Integer::intValue).toArray();
    naive = new Baselines.Naive(all);
    tree = new Baselines.PreparedTree(all);
    Envelope extent = new Envelope();
    all.forEach(g -> extent.expandToInclude(g.getEnvelopeInternal()));
    points = Points.mixed(new Envelope(120.0, 120.45, 30.1, 30.45), extent, 42);
  }

  @Benchmark
  public Areas grid() {
    int i = next++ & Points.MASK;
    return index.locate(points.x[i], points.y[i]);
  }

  @Benchmark
  public int strtreePrepared() {
    int i = next++ & Points.MASK;
    return tree.locateAll(points.x[i], points.y[i], layerOf, 5);
  }

  @Benchmark
  public int naiveCovers() {
    int i = next++ & Points.MASK;
    return naive.locateAll(points.x[i], points.y[i], layerOf, 5);
  }
}
