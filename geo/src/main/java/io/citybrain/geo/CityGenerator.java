package io.citybrain.geo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * Generates the finer geography inside the real districts from a seed. Every random choice comes
 * from a {@link Random} seeded from the city seed and a fixed salt per feature type, iteration is
 * always in list order, and coordinates are rounded to 1e-7° (about 1 cm), so the same seed gives
 * the same city byte for byte.
 *
 * <p>Roads: a jittered lattice centred on the old town whose spacing grows with the distance from
 * the centre (denser in the centre), with an expressway ring; a small lattice around the seat of
 * every outer district; expressways chaining the outer seats to the network. Only the largest
 * connected part of each lattice is kept, so the whole network is connected. Communities are the
 * lattice's blocks, set back from the roads; buildings sit inside communities; utility zones are
 * Voronoi cells of seeded points clipped to the districts.
 */
final class CityGenerator {

  /** Hangzhou's old town and the districts around it (the generator's data for the demo city). */
  static final List<String> HANGZHOU_URBAN =
      List.of("330102", "330103", "330104", "330105", "330106", "330108");

  /** Wulin Square, the centre of Hangzhou's road lattice. */
  static final double[] HANGZHOU_CENTRE = {120.165, 30.272};

  private static final double MAIN_RADIUS_M = 18_000;
  private static final double TOWN_RADIUS_M = 3_000;
  private static final int RING = 9;
  private static final GeometryFactory F = GeoJsonFeatures.WGS84;

  private final long seed;
  private final List<District> districts;

  /** The districts of the dense main lattice and most devices; the others get a small town each. */
  private final List<String> urban;

  private final double centreLon;
  private final double centreLat;
  private final PreparedGeometry[] preparedDistricts;
  private final PolygonIndex districtIndex;

  private final List<double[]> nodes = new ArrayList<>();
  private final List<RoadSegment> roads = new ArrayList<>();
  private final List<Community> communities = new ArrayList<>();
  private final org.locationtech.jts.index.quadtree.Quadtree communityTree =
      new org.locationtech.jts.index.quadtree.Quadtree();
  private final int[] communityCount;

  /** Hangzhou's plan: the demo city. */
  CityGenerator(long seed, List<District> districts) {
    this(seed, districts, HANGZHOU_URBAN, HANGZHOU_CENTRE);
  }

  /**
   * A city of any districts: the main lattice around {@code centre} over the {@code urban}
   * districts, a town in each of the others.
   */
  CityGenerator(long seed, List<District> districts, List<String> urban, double[] centre) {
    this.seed = seed;
    this.districts = districts;
    this.urban = List.copyOf(urban);
    this.centreLon = centre[0];
    this.centreLat = centre[1];
    this.preparedDistricts =
        districts.stream()
            .map(d -> PreparedGeometryFactory.prepare(d.boundary()))
            .toArray(PreparedGeometry[]::new);
    this.districtIndex =
        new PolygonIndex(districts.stream().map(District::boundary).toList(), 0.002);
    this.communityCount = new int[districts.size()];
  }

  CityModel generate() {
    Lattice main = lattice(centreLon, centreLat, MAIN_RADIUS_M, 300, 4_000, -1, random(1));
    main.addRoads(true);
    main.addCommunities(random(2), true);
    List<Integer> towns = new ArrayList<>();
    for (int d = 0; d < districts.size(); d++) {
      if (!urban.contains(districts.get(d).code()) && districtOf(centreLon, centreLat) != d) {
        towns.add(d);
      }
    }
    double[] centre = {centreLon, centreLat};
    towns.sort(Comparator.comparingDouble(d -> distance(seat(districts.get(d)), centre)));
    Random townRandom = random(3);
    for (int d : towns) {
      double[] seat = seat(districts.get(d));
      int connectedBefore = nodes.size();
      Lattice town = lattice(seat[0], seat[1], TOWN_RADIUS_M, 400, 100_000, d, townRandom);
      town.addRoads(false);
      town.addCommunities(townRandom, false);
      connect(town, connectedBefore);
    }
    List<Building> buildings = buildings(random(4));
    List<UtilityZone> zones = zones(random(5));
    List<Facility> facilities = facilities(random(6));
    return new CityModel(seed, districts, communities, roads, buildings, zones, facilities);
  }

  private Random random(int salt) {
    return new Random(seed * 1_000_003L + salt);
  }

  private double[] seat(District d) {
    if (d.boundary().covers(F.createPoint(new Coordinate(d.centerLon(), d.centerLat())))) {
      return new double[] {d.centerLon(), d.centerLat()};
    }
    Coordinate c = d.boundary().getInteriorPoint().getCoordinate();
    return new double[] {c.x, c.y};
  }

  private int districtOf(double lon, double lat) {
    return districtIndex.locate(lon, lat);
  }

  private static double distance(double[] a, double[] b) {
    return Metric.distanceM(a[0], a[1], b[0], b[1]);
  }

  static double round7(double v) {
    return Math.round(v * 1e7) / 1e7;
  }

  /**
   * Line positions (metres from the centre) whose spacing grows by {@code spacing * (1 + d /
   * growth)}.
   */
  private static double[] positions(double radius, double spacing, double growth) {
    List<Double> out = new ArrayList<>();
    out.add(0.0);
    for (double d = 0; ; ) {
      d += spacing * (1 + d / growth);
      if (d > radius) {
        break;
      }
      out.add(d);
      out.add(-d);
    }
    return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private Lattice lattice(
      double lon,
      double lat,
      double radius,
      double spacing,
      double growth,
      int onlyDistrict,
      Random random) {
    double[] pos = positions(radius, spacing, growth);
    return new Lattice(lon, lat, pos, onlyDistrict, random);
  }

  /** A grid of junctions; -1 marks a junction outside the city (or the town's district). */
  private final class Lattice {
    final int n;
    final int centre;
    final int[][] node;
    final double[][] lon;
    final double[][] lat;
    final Random random;

    Lattice(double cLon, double cLat, double[] pos, int onlyDistrict, Random random) {
      this.random = random;
      n = pos.length;
      centre = Arrays.binarySearch(pos, 0.0);
      node = new int[n][n];
      lon = new double[n][n];
      lat = new double[n][n];
      double kx = Metric.metresPerDegreeLon(cLat);
      double ky = Metric.metresPerDegreeLat(cLat);
      int[] parent = new int[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double step = i > 0 ? pos[i] - pos[i - 1] : pos[1] - pos[0];
          double jitter = 0.12 * step;
          double x = pos[i] + (random.nextDouble() * 2 - 1) * jitter;
          double y = pos[j] + (random.nextDouble() * 2 - 1) * jitter;
          lon[i][j] = round7(cLon + x / kx);
          lat[i][j] = round7(cLat + y / ky);
          int d = districtOf(lon[i][j], lat[i][j]);
          node[i][j] = d >= 0 && (onlyDistrict < 0 || d == onlyDistrict) ? 0 : -1;
          parent[i * n + j] = i * n + j;
        }
      }
      // Keep only the largest connected part of the lattice.
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (node[i][j] < 0) {
            continue;
          }
          if (i + 1 < n && node[i + 1][j] >= 0) {
            union(parent, i * n + j, (i + 1) * n + j);
          }
          if (j + 1 < n && node[i][j + 1] >= 0) {
            union(parent, i * n + j, i * n + j + 1);
          }
        }
      }
      int[] sizes = new int[n * n];
      int largest = -1;
      for (int k = 0; k < n * n; k++) {
        if (node[k / n][k % n] >= 0) {
          int root = find(parent, k);
          sizes[root]++;
          if (largest < 0
              || sizes[root] > sizes[largest]
              || (sizes[root] == sizes[largest] && root < largest)) {
            largest = root;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (node[i][j] >= 0 && find(parent, i * n + j) == largest) {
            node[i][j] = nodes.size();
            nodes.add(new double[] {lon[i][j], lat[i][j]});
          } else {
            node[i][j] = -1;
          }
        }
      }
    }

    boolean kept(int i, int j) {
      return i >= 0 && j >= 0 && i < n && j < n && node[i][j] >= 0;
    }

    void addRoads(boolean withRing) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (!kept(i, j)) {
            continue;
          }
          if (kept(i + 1, j)) {
            road(i, j, i + 1, j, classOf(j - centre, i - centre, i + 1 - centre, withRing));
          }
          if (kept(i, j + 1)) {
            road(i, j, i, j + 1, classOf(i - centre, j - centre, j + 1 - centre, withRing));
          }
        }
      }
    }

    /** The class of a road along lattice line {@code line}, between positions a and b across it. */
    private RoadClass classOf(int line, int a, int b, boolean withRing) {
      int l = Math.abs(line);
      if (withRing && l == RING && Math.max(Math.abs(a), Math.abs(b)) <= RING) {
        return RoadClass.EXPRESSWAY;
      }
      if (l % 6 == 0) {
        return RoadClass.ARTERIAL;
      }
      return l % 3 == 0 ? RoadClass.SECONDARY : RoadClass.LOCAL;
    }

    private void road(int i0, int j0, int i1, int j1, RoadClass roadClass) {
      boolean oneway = roadClass == RoadClass.LOCAL && random.nextDouble() < 0.25;
      double[] a = nodes.get(node[i0][j0]);
      double[] b = nodes.get(node[i1][j1]);
      if (oneway && random.nextBoolean()) {
        double[] t = a;
        a = b;
        b = t;
      }
      addRoad(roadClass, oneway, a, b, -1);
    }

    void addCommunities(Random r, boolean main) {
      for (int i = 0; i + 1 < n; i++) {
        for (int j = 0; j + 1 < n; j++) {
          if (!(kept(i, j) && kept(i + 1, j) && kept(i, j + 1) && kept(i + 1, j + 1))) {
            continue;
          }
          double keep = r.nextDouble();
          Polygon block =
              setBack(
                  new double[][] {
                    {lon[i][j], lat[i][j]},
                    {lon[i + 1][j], lat[i + 1][j]},
                    {lon[i + 1][j + 1], lat[i + 1][j + 1]},
                    {lon[i][j + 1], lat[i][j + 1]}
                  });
          Coordinate c = block.getCentroid().getCoordinate();
          int d = districtOf(c.x, c.y);
          if (d < 0 || !preparedDistricts[d].covers(block) || overlapsACommunity(block)) {
            continue;
          }
          boolean isUrban = urban.contains(districts.get(d).code());
          if (keep > (isUrban ? 0.7 : main ? 0.25 : 0.2)) {
            continue;
          }
          String code = districts.get(d).code();
          int number = ++communityCount[d];
          String id = String.format(Locale.ROOT, "c-%s-%04d", code, number);
          communities.add(
              new Community(id, code, districts.get(d).slug() + " community " + number, block));
          communityTree.insert(block.getEnvelopeInternal(), block);
        }
      }
    }
  }

  /**
   * Town lattices may reach into the main one; their blocks must not overlap communities already
   * made.
   */
  private boolean overlapsACommunity(Polygon block) {
    for (Object o : communityTree.query(block.getEnvelopeInternal())) {
      if (((Polygon) o).intersects(block)) {
        return true;
      }
    }
    return false;
  }

  private static int find(int[] parent, int k) {
    while (parent[k] != k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** A block shrunk 12% towards its centroid, leaving room for the streets around it. */
  private static Polygon setBack(double[][] corners) {
    double cx = 0;
    double cy = 0;
    for (double[] c : corners) {
      cx += c[0] / corners.length;
      cy += c[1] / corners.length;
    }
    Coordinate[] ring = new Coordinate[corners.length + 1];
    for (int k = 0; k < corners.length; k++) {
      ring[k] =
          new Coordinate(
              round7(cx + (corners[k][0] - cx) * 0.88), round7(cy + (corners[k][1] - cy) * 0.88));
    }
    ring[corners.length] = ring[0];
    return F.createPolygon(ring);
  }

  private void addRoad(
      RoadClass roadClass, boolean oneway, double[] a, double[] b, int fallbackDistrict) {
    LineString line =
        F.createLineString(
            new Coordinate[] {new Coordinate(a[0], a[1]), new Coordinate(b[0], b[1])});
    int d = districtOf((a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
    if (d < 0) {
      d = districtOf(a[0], a[1]);
    }
    if (d < 0) {
      d = districtOf(b[0], b[1]);
    }
    if (d < 0) {
      d = fallbackDistrict;
    }
    String id = String.format(Locale.ROOT, "r-%06d", roads.size() + 1);
    roads.add(RoadSegment.of(id, roadClass, oneway, districts.get(Math.max(d, 0)).code(), line));
  }

  /**
   * Links a town's lattice to the nearest junction built before it with an expressway in ~1 km
   * pieces.
   */
  private void connect(Lattice town, int connectedBefore) {
    int bestFrom = -1;
    int bestTo = -1;
    double best = Double.MAX_VALUE;
    for (int i = 0; i < town.n; i++) {
      for (int j = 0; j < town.n; j++) {
        int from = town.node[i][j];
        if (from < 0
            || (i != 0
                && j != 0
                && i != town.n - 1
                && j != town.n - 1
                && town.kept(i - 1, j)
                && town.kept(i + 1, j)
                && town.kept(i, j - 1)
                && town.kept(i, j + 1))) {
          continue;
        }
        for (int to = 0; to < connectedBefore; to++) {
          double dist = distance(nodes.get(from), nodes.get(to));
          if (dist < best) {
            best = dist;
            bestFrom = from;
            bestTo = to;
          }
        }
      }
    }
    if (bestFrom < 0) {
      return;
    }
    double[] a = nodes.get(bestTo);
    double[] b = nodes.get(bestFrom);
    int pieces = Math.max(1, (int) Math.ceil(best / 1_000));
    double[] prev = a;
    int townDistrict = districtOf(b[0], b[1]);
    for (int k = 1; k <= pieces; k++) {
      double[] next =
          k == pieces
              ? b
              : new double[] {
                round7(a[0] + (b[0] - a[0]) * k / pieces), round7(a[1] + (b[1] - a[1]) * k / pieces)
              };
      addRoad(RoadClass.EXPRESSWAY, false, prev, next, townDistrict);
      prev = next;
    }
  }

  private List<Building> buildings(Random r) {
    List<Building> out = new ArrayList<>();
    for (Community c : communities) {
      var env = c.boundary().getEnvelopeInternal();
      double kx = Metric.metresPerDegreeLon(env.centre().y);
      double ky = Metric.metresPerDegreeLat(env.centre().y);
      double stepX = 60 / kx;
      double stepY = 60 / ky;
      PreparedGeometry inside = PreparedGeometryFactory.prepare(c.boundary());
      int number = 0;
      for (double y = env.getMinY() + stepY / 2;
          y + stepY / 2 <= env.getMaxY() && number < 12;
          y += stepY) {
        for (double x = env.getMinX() + stepX / 2;
            x + stepX / 2 <= env.getMaxX() && number < 12;
            x += stepX) {
          if (r.nextDouble() > 0.4) {
            continue;
          }
          boolean wide = r.nextBoolean();
          double hw = (wide ? 16 : 7) / kx;
          double hh = (wide ? 7 : 16) / ky;
          Polygon footprint =
              F.createPolygon(
                  new Coordinate[] {
                    new Coordinate(round7(x - hw), round7(y - hh)),
                        new Coordinate(round7(x + hw), round7(y - hh)),
                    new Coordinate(round7(x + hw), round7(y + hh)),
                        new Coordinate(round7(x - hw), round7(y + hh)),
                    new Coordinate(round7(x - hw), round7(y - hh))
                  });
          if (inside.covers(footprint)) {
            number++;
            out.add(
                new Building(
                    String.format(Locale.ROOT, "b-%s-%02d", c.id().substring(2), number),
                    c.id(),
                    footprint));
          }
        }
      }
    }
    return out;
  }

  private List<UtilityZone> zones(Random r) {
    List<UtilityZone> out = new ArrayList<>();
    for (Utility u : Utility.values()) {
      int perUrbanDistrict = u == Utility.WATER ? 4 : u == Utility.POWER ? 6 : 2;
      for (District d : districts) {
        boolean isUrban = urban.contains(d.code());
        List<Geometry> parts =
            isUrban ? GeneratedAreas.voronoi(d, perUrbanDistrict, r) : List.of(d.boundary());
        for (int k = 0; k < parts.size(); k++) {
          String id = String.format(Locale.ROOT, "%s-%s-%02d", u.idPrefix(), d.code(), k + 1);
          Geometry g = Boundaries.checked(parts.get(k), "zone '" + id + "'");
          out.add(new UtilityZone(id, u, d.code(), g));
        }
      }
    }
    return out;
  }

  private List<Facility> facilities(Random r) {
    List<Facility> out = new ArrayList<>();
    for (FacilityKind kind : List.of(FacilityKind.FIRE_STATION, FacilityKind.HOSPITAL)) {
      String prefix = kind == FacilityKind.FIRE_STATION ? "fs" : "h";
      String label = kind == FacilityKind.FIRE_STATION ? "fire station" : "hospital";
      for (District d : districts) {
        int count = urban.contains(d.code()) ? 3 : 1;
        for (int k = 1; k <= count; k++) {
          double[] p = DistrictIndex.randomPointIn(d, r);
          out.add(
              new Facility(
                  String.format(Locale.ROOT, "%s-%s-%02d", prefix, d.code(), k),
                  kind,
                  capitalise(d.slug()) + " " + label + " " + k,
                  d.code(),
                  round7(p[0]),
                  round7(p[1])));
        }
      }
    }
    return out;
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
