package io.citybrain.benchmarks;

import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.PolygonIndex;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.locationtech.jts.geom.Geometry;

/**
 * Prints the heap the indexes retain (measured as used heap after full collections, before and
 * after building; the polygons themselves are already loaded and not counted), and how long they
 * take to build. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.citybrain.benchmarks.IndexFootprint}.
 */
public final class IndexFootprint {

  private IndexFootprint() {}

  public static void main(String[] args) {
    CityModel city = CityModel.hangzhou();
    report(
        "Hangzhou CityIndex (13 districts, "
            + city.communities().size()
            + " communities, "
            + city.zones().size()
            + " zones, "
            + city.buildings().size()
            + " buildings, "
            + city.roads().size()
            + " roads)",
        () ->
            new CityIndex(
                city.districts(),
                city.communities(),
                city.zones(),
                city.buildings(),
                city.facilities(),
                city.roads()));
    List<Geometry> all = ChinaDistricts.shuffledOrExplain();
    if (all == null) {
      return;
    }
    for (int n : ChinaDistricts.SIZES) {
      List<Geometry> subset = all.subList(0, Math.min(n, all.size()));
      long vertices = subset.stream().mapToLong(Geometry::getNumPoints).sum();
      Object grid =
          report(
              String.format(Locale.ROOT, "China n=%d (%,d vertices) PolygonIndex", n, vertices),
              () -> new PolygonIndex(subset, GeoChinaDistrictsBenchmark.LEAF_DEG));
      PolygonIndex g = (PolygonIndex) grid;
      System.out.printf(
          Locale.ROOT,
          "    cells %,d, boundary leaf lists %,d, grid arrays %,d bytes%n",
          g.cellCount(),
          g.boundaryLeafCount(),
          g.gridBytes());
      report(
          String.format(Locale.ROOT, "China n=%d STRtree of PreparedGeometry", n),
          () -> new Baselines.PreparedTree(subset));
    }
  }

  private static Object report(String what, Supplier<Object> build) {
    long before = used();
    long t0 = System.nanoTime();
    Object built = build.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long after = used();
    System.out.printf(
        Locale.ROOT, "%-90s %8.1f MB  built in %,d ms%n", what, (after - before) / 1e6, ms);
    if (built.hashCode() == 42) {
      System.out.print("");
    }
    return built;
  }

  private static long used() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
