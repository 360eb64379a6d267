package io.citybrain.benchmarks;

import io.citybrain.geo.Building;
import io.citybrain.geo.CityManifest;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.District;
import io.citybrain.geo.Facility;
import io.citybrain.geo.FacilityKind;
import io.citybrain.geo.GeneratedAreas;
import io.citybrain.geo.RoadClass;
import io.citybrain.geo.RoadMatcher;
import io.citybrain.geo.RoadSegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;

/**
 * A city of 100,000 road segments and 200,000 buildings, written as a city package and loaded the
 * way a job's task loads it ({@link CityPackage#read}: parse, check, index), then map matching on
 * its network against the STR-tree baseline, in CPU seconds of this thread. The city is a lattice:
 * 16 districts of about 5.6 × 5.6 km, streets every 100 m both ways (each block side a segment,
 * classes and one-way streets mixed), four building footprints per block, communities and zones
 * generated inside the districts, a fire station and a hospital per district.
 *
 * <p>{@code java -Xmx6g -cp benchmarks/target/benchmarks.jar io.citybrain.benchmarks.CityScale
 * [seconds] [dir]}
 */
public final class CityScale {

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static final GeometryFactory F = new GeometryFactory(new PrecisionModel(), 4326);

  /**
   * Blocks per side: 224 × 224 blocks give 2 × 224 × 225 = 100,800 segments and 4 × 224² = 200,704
   * buildings.
   */
  private static final int BLOCKS = 224;

  private static final double BLOCK_M = 100;
  private static final double LON0 = 114.0;
  private static final double LAT0 = 30.5;

  private CityScale() {}

  public static void main(String[] args) throws Exception {
    GeoCpuTime.seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("city-scale");
    long t0 = System.nanoTime();
    CityPackage big = lattice();
    System.out.printf(
        Locale.ROOT,
        "made %,d segments, %,d buildings, %,d communities in %.1f s%n",
        big.city().roads().size(),
        big.city().buildings().size(),
        big.city().communities().size(),
        (System.nanoTime() - t0) / 1e9);
    Path pkg = dir.resolve("lattice");
    big.write(pkg);
    long bytes = 0;
    try (var files = Files.list(pkg)) {
      for (Path p : files.toList()) {
        bytes += Files.size(p);
      }
    }
    big = null;
    System.out.printf(Locale.ROOT, "package %s: %,d bytes%n", pkg, bytes);

    // What a task pays on open(): read every layer, check it, build the spatial indexes. The first
    // load warms the JIT, the second is the one a TaskManager's first task would see on a warm JVM;
    // both are printed.
    for (int round = 1; round <= 2; round++) {
      gc();
      long heapBefore = usedHeap();
      long cpu = CPU.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      CityPackage loaded = CityPackage.read(pkg);
      double cpuS = (CPU.getCurrentThreadCpuTime() - cpu) / 1e9;
      double wallS = (System.nanoTime() - wall) / 1e9;
      gc();
      long heap = usedHeap() - heapBefore;
      int segments = loaded.city().roads().size();
      System.out.printf(
          Locale.ROOT,
          "load %d: %.1f s wall, %.1f CPU-s; whole model and indexes %,d MB = %,d bytes per segment "
              + "(buildings, communities, zones included)%n",
          round,
          wallS,
          cpuS,
          heap >> 20,
          heap / segments);
      if (round == 2) {
        List<RoadSegment> roads = loaded.city().roads();
        loaded = null;
        gc();
        long beforeMatcher = usedHeap();
        RoadMatcher matcher = new RoadMatcher(roads);
        gc();
        long matcherBytes = usedHeap() - beforeMatcher;
        System.out.printf(
            Locale.ROOT,
            "RoadMatcher alone: %,d MB = %,d bytes per segment (%s)%n",
            matcherBytes >> 20,
            matcherBytes / roads.size(),
            matcher.getClass().getSimpleName());
        GeoMapMatchingBenchmark b = new GeoMapMatchingBenchmark();
        b.setUp(roads);
        System.out.printf("%nmap matching on %,d segments%n", roads.size());
        double g =
            GeoCpuTime.measure("grid (RoadMatcher.match)", i -> b.grid().isPresent() ? 1 : 0);
        double t = GeoCpuTime.measure("(b) STRtree of segments", i -> b.strtree());
        System.out.printf(Locale.ROOT, "  grid / (b) = %.1fx%n", g / t);
      }
    }
  }

  private static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static double lon(double xM) {
    return LON0 + xM / io.citybrain.geo.Metric.metresPerDegreeLon(LAT0);
  }

  private static double lat(double yM) {
    return LAT0 + yM / io.citybrain.geo.Metric.metresPerDegreeLat(LAT0);
  }

  static CityPackage lattice() {
    int perDistrict = BLOCKS / 4;
    List<District> districts = new ArrayList<>();
    for (int dy = 0; dy < 4; dy++) {
      for (int dx = 0; dx < 4; dx++) {
        double x0 = dx * perDistrict * BLOCK_M;
        double y0 = dy * perDistrict * BLOCK_M;
        double x1 = x0 + perDistrict * BLOCK_M;
        double y1 = y0 + perDistrict * BLOCK_M;
        Polygon box =
            F.createPolygon(
                new Coordinate[] {
                  new Coordinate(lon(x0), lat(y0)),
                  new Coordinate(lon(x1), lat(y0)),
                  new Coordinate(lon(x1), lat(y1)),
                  new Coordinate(lon(x0), lat(y1)),
                  new Coordinate(lon(x0), lat(y0))
                });
        String code = String.format(Locale.ROOT, "d%02d", dy * 4 + dx);
        districts.add(
            new District(
                code,
                "District " + code,
                code,
                box,
                box.getCentroid().getX(),
                box.getCentroid().getY()));
      }
    }
    List<RoadSegment> roads = new ArrayList<>();
    for (int line = 0; line <= BLOCKS; line++) {
      RoadClass cls =
          line % 20 == 0
              ? RoadClass.ARTERIAL
              : line % 5 == 0 ? RoadClass.SECONDARY : RoadClass.LOCAL;
      for (int k = 0; k < BLOCKS; k++) {
        // Horizontal street `line` from block k to k+1, and the vertical one.
        roads.add(
            segment(
                "h-" + line + "-" + k,
                cls,
                k * BLOCK_M,
                line * BLOCK_M,
                (k + 1) * BLOCK_M,
                line * BLOCK_M,
                line,
                k,
                perDistrict,
                cls == RoadClass.LOCAL && line % 2 == 1));
        roads.add(
            segment(
                "v-" + line + "-" + k,
                cls,
                line * BLOCK_M,
                k * BLOCK_M,
                line * BLOCK_M,
                (k + 1) * BLOCK_M,
                k,
                line,
                perDistrict,
                cls == RoadClass.LOCAL && line % 2 == 1));
      }
    }
    List<io.citybrain.geo.Community> communities = GeneratedAreas.communities(districts, 1);
    io.citybrain.geo.PolygonIndex communityIndex =
        new io.citybrain.geo.PolygonIndex(
            communities.stream().map(io.citybrain.geo.Community::boundary).toList(), 0.0002);
    List<Building> buildings = new ArrayList<>();
    for (int by = 0; by < BLOCKS; by++) {
      for (int bx = 0; bx < BLOCKS; bx++) {
        for (int q = 0; q < 4; q++) {
          double x = bx * BLOCK_M + 15 + (q % 2) * 45;
          double y = by * BLOCK_M + 15 + (q / 2) * 45;
          Polygon p =
              F.createPolygon(
                  new Coordinate[] {
                    new Coordinate(lon(x), lat(y)),
                    new Coordinate(lon(x + 25), lat(y)),
                    new Coordinate(lon(x + 25), lat(y + 20)),
                    new Coordinate(lon(x), lat(y + 20)),
                    new Coordinate(lon(x), lat(y))
                  });
          var c = p.getInteriorPoint();
          int k = communityIndex.locate(c.getX(), c.getY());
          buildings.add(
              new Building(
                  "b-" + bx + "-" + by + "-" + q, communities.get(Math.max(0, k)).id(), p));
        }
      }
    }
    List<Facility> facilities = new ArrayList<>();
    for (District d : districts) {
      facilities.add(
          new Facility(
              "fs-" + d.code(),
              FacilityKind.FIRE_STATION,
              "Fire station " + d.code(),
              d.code(),
              d.centerLon(),
              d.centerLat()));
      facilities.add(
          new Facility(
              "h-" + d.code(),
              FacilityKind.HOSPITAL,
              "Hospital " + d.code(),
              d.code(),
              d.centerLon() + 0.001,
              d.centerLat()));
    }
    CityModel city =
        CityModel.of(
            1,
            districts,
            communities,
            roads,
            buildings,
            GeneratedAreas.zones(districts, 1),
            facilities);
    Map<String, CityManifest.LayerSource> layers = new LinkedHashMap<>();
    for (String layer : CityPackage.LAYERS) {
      layers.put(
          layer,
          new CityManifest.LayerSource(
              layer + ".geojson", "CityScale benchmark lattice", "Apache-2.0 (citybrain)"));
    }
    CityManifest m =
        new CityManifest(
            CityManifest.FORMAT,
            "lattice",
            Map.of("en", "Lattice"),
            "UTC",
            new CityManifest.View(lon(BLOCKS * BLOCK_M / 2), lat(BLOCKS * BLOCK_M / 2), 12),
            new CityManifest.CodeScheme("benchmark", "d\\d\\d"),
            new CityManifest.Generated(1, List.of("communities", "zones")),
            layers);
    return new CityPackage(m.checked("lattice"), city);
  }

  private static RoadSegment segment(
      String id,
      RoadClass cls,
      double x0,
      double y0,
      double x1,
      double y1,
      int row,
      int col,
      int perDistrict,
      boolean oneway) {
    LineString line =
        F.createLineString(
            new Coordinate[] {new Coordinate(lon(x0), lat(y0)), new Coordinate(lon(x1), lat(y1))});
    double midX = (x0 + x1) / 2;
    double midY = (y0 + y1) / 2;
    int dx = Math.min(3, (int) (midX / (perDistrict * BLOCK_M)));
    int dy = Math.min(3, (int) (midY / (perDistrict * BLOCK_M)));
    String district = String.format(Locale.ROOT, "d%02d", dy * 4 + dx);
    return new RoadSegment(
        "r-" + id, cls, cls.defaultFreeFlowKmh(), BLOCK_M, oneway, district, line);
  }
}
