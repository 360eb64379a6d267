package io.citybrain.osm;

import io.citybrain.geo.Building;
import io.citybrain.geo.CityManifest;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.Community;
import io.citybrain.geo.District;
import io.citybrain.geo.Districts;
import io.citybrain.geo.Facility;
import io.citybrain.geo.FacilityKind;
import io.citybrain.geo.GeneratedAreas;
import io.citybrain.geo.Layer;
import io.citybrain.geo.LayerFile;
import io.citybrain.geo.PolygonIndex;
import io.citybrain.geo.RoadClass;
import io.citybrain.geo.RoadSegment;
import io.citybrain.geo.UtilityZone;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.operation.polygonize.Polygonizer;

/**
 * {@code city import}: a city package from an OpenStreetMap extract and, optionally, the city's own
 * district, community and zone boundaries. What it takes from OSM, and why (docs/geography.md):
 *
 * <ul>
 *   <li>Roads: ways with a {@code highway} value that motor traffic uses ({@link #ROAD_CLASSES}),
 *       unless {@code access}, {@code motor_vehicle} or {@code motorcar} is {@code no}/{@code
 *       private} or {@code area=yes}. Service roads, tracks, paths and footways are left out:
 *       traffic indicators are about the street network, and a parking aisle's "congestion" means
 *       nothing. Each way is cut at every node another road shares (a junction), so a segment runs
 *       from junction to junction; its id is {@code w<way>-<n>}.
 *   <li>Class from the highway tag, free-flow speed from {@code maxspeed} (km/h, or mph converted)
 *       or the class's default, {@code oneway} ({@code yes}, {@code -1} reversed, implied by
 *       motorways and roundabouts), {@code lanes}.
 *   <li>Buildings: closed ways tagged {@code building} (not {@code no}); multipolygon buildings are
 *       skipped and counted. A footprint JTS finds invalid is repaired when the repair keeps its
 *       area within 1%, else skipped and counted.
 *   <li>Facilities: {@code amenity=fire_station|hospital|police}, as nodes or areas (their
 *       centroid).
 *   <li>Districts: {@code --districts FILE}; else administrative boundary relations complete in the
 *       extract (the lowest {@code admin_level} with at least two); else one district covering the
 *       extract, said so.
 * </ul>
 *
 * <p>A road whose middle lies in no district is refused naming the way, unless {@code skipOutside}:
 * an operator's district file that does not cover the extract is a mistake worth hearing about.
 * Buildings and facilities outside every district are skipped and counted.
 */
public final class OsmImport {

  /** OSM highway values imported, and their class. */
  static final Map<String, RoadClass> ROAD_CLASSES =
      Map.ofEntries(
          Map.entry("motorway", RoadClass.EXPRESSWAY),
              Map.entry("motorway_link", RoadClass.EXPRESSWAY),
          Map.entry("trunk", RoadClass.EXPRESSWAY), Map.entry("trunk_link", RoadClass.EXPRESSWAY),
          Map.entry("primary", RoadClass.ARTERIAL), Map.entry("primary_link", RoadClass.ARTERIAL),
          Map.entry("secondary", RoadClass.SECONDARY),
              Map.entry("secondary_link", RoadClass.SECONDARY),
          Map.entry("tertiary", RoadClass.SECONDARY),
              Map.entry("tertiary_link", RoadClass.SECONDARY),
          Map.entry("unclassified", RoadClass.LOCAL), Map.entry("residential", RoadClass.LOCAL),
          Map.entry("living_street", RoadClass.LOCAL), Map.entry("road", RoadClass.LOCAL));

  static final String OSM_LICENCE =
      "ODbL 1.0, (c) OpenStreetMap contributors (https://www.openstreetmap.org/copyright)";
  private static final GeometryFactory F = new GeometryFactory(new PrecisionModel(), 4326);
  private static final double MPH = 1.609344;

  /**
   * What to import. {@code districts}, {@code communities}, {@code zones} may be null; {@code
   * timeZone} null means UTC (said so); {@code seed} makes generated communities and zones
   * reproducible.
   */
  public record Options(
      Path osm,
      Path out,
      Path districts,
      Path communities,
      Path zones,
      String name,
      String nameZh,
      String timeZone,
      boolean skipOutside,
      long seed) {}

  /** What was imported: counts per layer, and what was skipped and why. */
  public record Report(
      CityPackage city,
      Map<String, Integer> counts,
      Map<String, Integer> skipped,
      List<String> notes) {}

  private final Options options;
  private final Consumer<String> out;
  private final Map<String, Integer> skipped = new TreeMap<>();
  private final List<String> notes = new ArrayList<>();

  private OsmImport(Options options, Consumer<String> out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Imports, writes the package to {@code options.out()} whole (or nothing, on any refusal) and
   * returns what it did; {@code out} gets progress and the summary lines.
   */
  public static Report run(Options options, Consumer<String> out) throws IOException {
    return new OsmImport(options, out).run();
  }

  private Report run() throws IOException {
    ZoneId zone = zone();
    out.accept("reading " + options.osm() + " ...");
    long t0 = System.nanoTime();
    OsmExtract osm = OsmExtract.read(options.osm(), out);
    out.accept(
        String.format(
            Locale.ROOT,
            "read %,d nodes, %,d ways, %,d boundary relations in %.1f s",
            osm.nodeCount(),
            osm.ways.size(),
            osm.relations.size(),
            (System.nanoTime() - t0) / 1e9));

    String cityName = options.name() != null ? options.name() : baseName(options.osm());
    districting = districts(osm, cityName);
    List<District> districts = districting.districts();
    PolygonIndex districtIndex =
        new PolygonIndex(districts.stream().map(District::boundary).toList(), 0.0005);

    List<RoadSegment> roads = roads(osm, districts, districtIndex);
    List<Community> communities =
        options.communities() != null
            ? layer(Layer.COMMUNITIES, options.communities()).communities()
            : GeneratedAreas.communities(districts, options.seed());
    List<UtilityZone> zones =
        options.zones() != null
            ? layer(Layer.ZONES, options.zones()).zones()
            : GeneratedAreas.zones(districts, options.seed());
    List<Building> buildings = buildings(osm, communities);
    List<Facility> facilities = facilities(osm, districts, districtIndex);

    CityManifest manifest = manifest(cityName, zone, districts);
    CityModel city =
        CityModel.of(options.seed(), districts, communities, roads, buildings, zones, facilities);
    CityPackage pkg = new CityPackage(manifest, city);
    pkg.write(options.out());
    // What the jobs will read is what was written: read it back with every check before saying
    // "done".
    CityPackage.read(options.out());

    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("districts", districts.size());
    counts.put("communities", communities.size());
    counts.put("roads", roads.size());
    counts.put("buildings", buildings.size());
    counts.put("zones", zones.size());
    counts.put("facilities", facilities.size());
    counts.forEach(
        (k, v) -> out.accept(String.format(Locale.ROOT, "  %-12s %,d%s", k, v, generatedNote(k))));
    skipped.forEach((k, v) -> out.accept(String.format(Locale.ROOT, "  skipped %,d: %s", v, k)));
    notes.forEach(n -> out.accept("  note: " + n));
    out.accept("wrote the city package " + options.out());
    return new Report(pkg, counts, skipped, notes);
  }

  private String generatedNote(String layer) {
    if (layer.equals("communities") && options.communities() == null
        || layer.equals("zones") && options.zones() == null) {
      return " (generated inside the districts, seed "
          + options.seed()
          + "; give --"
          + layer
          + " FILE for real ones)";
    }
    return "";
  }

  private ZoneId zone() {
    if (options.timeZone() == null) {
      notes.add(
          "time zone UTC: no --time-zone given (local-time rules such as the night-flow window use it)");
      return ZoneId.of("UTC");
    }
    try {
      return ZoneId.of(options.timeZone());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "--time-zone '"
              + options.timeZone()
              + "' is not a known time zone (an IANA zone id such as America/Los_Angeles)");
    }
  }

  private static String baseName(Path p) {
    String n = p.getFileName().toString();
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private LayerFile layer(Layer layer, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return LayerFile.read(layer, in, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private record Districting(
      List<District> districts, String source, String scheme, String pattern) {}

  private Districting districting;

  private Districting districts(OsmExtract osm, String cityName) {
    if (options.districts() != null) {
      try (InputStream in = Files.newInputStream(options.districts())) {
        List<District> ds = Districts.read(in, options.districts().toString());
        if (ds.isEmpty()) {
          throw new IllegalArgumentException(options.districts() + " has no districts");
        }
        return new Districting(
            ds,
            options.districts().getFileName().toString(),
            "the codes of " + options.districts().getFileName(),
            District.CODE.pattern());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            options.districts() + " cannot be read: " + e.getMessage(), e);
      }
    }
    List<District> fromOsm = boundaryDistricts(osm);
    if (!fromOsm.isEmpty()) {
      notes.add(
          fromOsm.size()
              + " districts from the extract's administrative boundaries (codes r<relation id>)");
      return new Districting(
          fromOsm,
          "OpenStreetMap administrative boundaries in " + options.osm().getFileName(),
          "OpenStreetMap relation id",
          "r\\d+");
    }
    // Extracts keep whole ways, which run past the bounds: the district covers both.
    Envelope env = usedExtent(osm);
    if (osm.bounds != null) {
      env.expandToInclude(new Envelope(osm.bounds[0], osm.bounds[2], osm.bounds[1], osm.bounds[3]));
    }
    if (env.isNull() || env.getWidth() <= 0 || env.getHeight() <= 0) {
      throw new IllegalArgumentException(
          options.osm() + " has no roads, buildings or bounds to make a district of");
    }
    Geometry box = F.toGeometry(env);
    String code = "d1";
    District one = new District(code, cityName, code, box, env.centre().x, env.centre().y);
    notes.add(
        "one district '"
            + code
            + "' covering the extract's roads and buildings: the extract has no complete "
            + "administrative boundaries and no --districts FILE was given");
    return new Districting(
        List.of(one),
        "the extent of " + options.osm().getFileName(),
        "one district covering the extract",
        "d1");
  }

  private static Envelope usedExtent(OsmExtract osm) {
    Envelope env = new Envelope();
    for (OsmExtract.OsmWay w : osm.ways) {
      if (w.tags().containsKey("highway") || w.tags().containsKey("building")) {
        for (long id : w.nodes()) {
          double[] p = osm.node(id);
          if (p != null) {
            env.expandToInclude(p[0], p[1]);
          }
        }
      }
    }
    return env;
  }

  /**
   * Administrative boundaries whose every member way and node is in the extract, at the chosen
   * level.
   */
  private List<District> boundaryDistricts(OsmExtract osm) {
    Map<Integer, List<District>> byLevel = new TreeMap<>();
    int incomplete = 0;
    for (OsmExtract.OsmRelation r : osm.relations) {
      int level;
      try {
        level = Integer.parseInt(r.tags().getOrDefault("admin_level", ""));
      } catch (NumberFormatException e) {
        continue;
      }
      Polygonizer polygonizer = new Polygonizer(true);
      boolean complete = !r.wayMembers().isEmpty();
      for (OsmExtract.Member m : r.wayMembers()) {
        if (m.role().equals("inner")) {
          // Holes come out of the polygonizer from the outer rings' arrangement; enclaves are
          // rare in districts.
          continue;
        }
        OsmExtract.OsmWay w = osm.waysById.get(m.id());
        LineString line = w == null ? null : line(osm, w.nodes());
        if (line == null) {
          complete = false;
          break;
        }
        polygonizer.add(line);
      }
      if (!complete) {
        incomplete++;
        continue;
      }
      @SuppressWarnings("unchecked")
      List<Polygon> polys = new ArrayList<>(polygonizer.getPolygons());
      if (polys.isEmpty()) {
        incomplete++;
        continue;
      }
      Geometry area =
          polys.size() == 1 ? polys.get(0) : F.createMultiPolygon(polys.toArray(new Polygon[0]));
      area = GeometryFixer.fix(area);
      String code = "r" + r.id();
      String name = r.tags().getOrDefault("name:en", r.tags().getOrDefault("name", code));
      Point c = area.getInteriorPoint();
      byLevel
          .computeIfAbsent(level, k -> new ArrayList<>())
          .add(new District(code, name, code, area, c.getX(), c.getY()));
    }
    if (incomplete > 0) {
      skipped.merge(
          "administrative boundaries not complete in the extract", incomplete, Integer::sum);
    }
    for (Map.Entry<Integer, List<District>> e : byLevel.entrySet()) {
      if (e.getKey() >= 5 && e.getValue().size() >= 2) {
        return e.getValue();
      }
    }
    return List.of();
  }

  /** The way's line, or null when a node is missing from the extract or it has fewer than two. */
  private static LineString line(OsmExtract osm, long[] nodes) {
    if (nodes.length < 2) {
      return null;
    }
    Coordinate[] cs = new Coordinate[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      double[] p = osm.node(nodes[i]);
      if (p == null) {
        return null;
      }
      cs[i] = new Coordinate(p[0], p[1]);
    }
    return F.createLineString(cs);
  }

  private List<RoadSegment> roads(
      OsmExtract osm, List<District> districts, PolygonIndex districtIndex) {
    List<OsmExtract.OsmWay> roadWays = new ArrayList<>();
    for (OsmExtract.OsmWay w : osm.ways) {
      String highway = w.tags().get("highway");
      if (highway == null) {
        continue;
      }
      if (!ROAD_CLASSES.containsKey(highway)) {
        skipped.merge("ways of highway=" + highway + " (not a motor road)", 1, Integer::sum);
      } else if (closedToMotorTraffic(w.tags())) {
        skipped.merge(
            "roads closed to motor traffic (access, motor_vehicle, motorcar)", 1, Integer::sum);
      } else if ("yes".equals(w.tags().get("area"))) {
        skipped.merge("road areas (area=yes)", 1, Integer::sum);
      } else {
        roadWays.add(w);
      }
    }
    // A node two roads share, or one road passes twice, is a junction.
    Map<Long, Integer> uses = new HashMap<>();
    for (OsmExtract.OsmWay w : roadWays) {
      for (long n : w.nodes()) {
        uses.merge(n, 1, Integer::sum);
      }
    }
    List<RoadSegment> out = new ArrayList<>();
    for (OsmExtract.OsmWay w : roadWays) {
      RoadClass roadClass = ROAD_CLASSES.get(w.tags().get("highway"));
      double freeFlow = freeFlowKmh(w.tags().get("maxspeed"), roadClass);
      int oneway = oneway(w.tags());
      int lanes = lanes(w.tags().get("lanes"));
      int piece = 0;
      List<Coordinate> current = new ArrayList<>();
      for (int i = 0; i < w.nodes().length; i++) {
        double[] p = osm.node(w.nodes()[i]);
        if (p == null) {
          skipped.merge(
              "road nodes missing from the extract (the way is cut there)", 1, Integer::sum);
          piece =
              emit(
                  out,
                  w,
                  piece,
                  current,
                  roadClass,
                  freeFlow,
                  oneway,
                  lanes,
                  districts,
                  districtIndex);
          current.clear();
          continue;
        }
        current.add(new Coordinate(p[0], p[1]));
        boolean junction =
            i > 0 && i < w.nodes().length - 1 && uses.getOrDefault(w.nodes()[i], 0) > 1;
        if (junction) {
          piece =
              emit(
                  out,
                  w,
                  piece,
                  current,
                  roadClass,
                  freeFlow,
                  oneway,
                  lanes,
                  districts,
                  districtIndex);
          current.clear();
          current.add(new Coordinate(p[0], p[1]));
        }
      }
      emit(out, w, piece, current, roadClass, freeFlow, oneway, lanes, districts, districtIndex);
    }
    return out;
  }

  private int emit(
      List<RoadSegment> out,
      OsmExtract.OsmWay w,
      int piece,
      List<Coordinate> cs,
      RoadClass roadClass,
      double freeFlow,
      int oneway,
      int lanes,
      List<District> districts,
      PolygonIndex districtIndex) {
    if (cs.size() < 2) {
      return piece;
    }
    List<Coordinate> line = new ArrayList<>(cs);
    if (oneway < 0) {
      java.util.Collections.reverse(line);
    }
    LineString geometry = F.createLineString(line.toArray(new Coordinate[0]));
    Coordinate mid = midpoint(geometry);
    int d = districtIndex.locate(mid.x, mid.y);
    if (d < 0) {
      if (options.skipOutside()) {
        skipped.merge("road segments outside every district (--skip-outside)", 1, Integer::sum);
        return piece;
      }
      throw new IllegalArgumentException(
          options.osm()
              + " way "
              + w.id()
              + " (highway="
              + w.tags().get("highway")
              + ", "
              + w.tags().getOrDefault("name", "unnamed")
              + ") lies outside every district of "
              + districtsSource()
              + " at "
              + mid.x
              + ","
              + mid.y
              + "; give districts that cover the extract, or --skip-outside to leave such roads out");
    }
    int n = piece + 1;
    out.add(
        new RoadSegment(
            "w" + w.id() + "-" + n,
            roadClass,
            freeFlow,
            lengthM(geometry),
            oneway != 0,
            districts.get(d).code(),
            geometry,
            lanes,
            "osm:way/" + w.id()));
    return n;
  }

  private String districtsSource() {
    return options.districts() != null ? options.districts().toString() : districting.source();
  }

  private static double lengthM(LineString line) {
    double sum = 0;
    for (int i = 1; i < line.getNumPoints(); i++) {
      Coordinate a = line.getCoordinateN(i - 1);
      Coordinate b = line.getCoordinateN(i);
      sum += io.citybrain.geo.Metric.distanceM(a.x, a.y, b.x, b.y);
    }
    return sum;
  }

  /** The point halfway along the line (by degree length, fine within a segment). */
  private static Coordinate midpoint(LineString line) {
    return new org.locationtech.jts.linearref.LengthIndexedLine(line)
        .extractPoint(line.getLength() / 2);
  }

  static boolean closedToMotorTraffic(Map<String, String> tags) {
    for (String key : List.of("access", "motor_vehicle", "motorcar")) {
      String v = tags.get(key);
      if ("no".equals(v) || "private".equals(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * km/h from OSM's maxspeed ("50", "30 mph", "50;30": the first), or the class default when absent
   * or symbolic.
   */
  static double freeFlowKmh(String maxspeed, RoadClass roadClass) {
    if (maxspeed == null) {
      return roadClass.defaultFreeFlowKmh();
    }
    String v = maxspeed.split(";")[0].trim().toLowerCase(Locale.ROOT);
    boolean mph = v.endsWith("mph");
    v = v.replace("mph", "").replace("km/h", "").replace("kmh", "").trim();
    try {
      double speed = Double.parseDouble(v) * (mph ? MPH : 1);
      return speed >= 5 && speed <= 200 ? speed : roadClass.defaultFreeFlowKmh();
    } catch (NumberFormatException e) {
      // "none", "signals", "walk", "RU:urban": no number to take.
      return roadClass.defaultFreeFlowKmh();
    }
  }

  /** 1 one-way in drawing direction, -1 one-way against it, 0 both ways. */
  static int oneway(Map<String, String> tags) {
    String v = tags.get("oneway");
    if (v != null) {
      switch (v) {
        case "yes", "true", "1":
          return 1;
        case "-1", "reverse":
          return -1;
        case "no", "false", "0":
          return 0;
        default:
          break;
      }
    }
    String highway = tags.getOrDefault("highway", "");
    String junction = tags.getOrDefault("junction", "");
    return highway.equals("motorway")
            || junction.equals("roundabout")
            || junction.equals("circular")
        ? 1
        : 0;
  }

  static int lanes(String v) {
    if (v == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v.trim());
      return n > 0 && n <= 20 ? n : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private List<Building> buildings(OsmExtract osm, List<Community> communities) {
    PolygonIndex index =
        new PolygonIndex(communities.stream().map(c -> (Geometry) c.boundary()).toList(), 0.0002);
    List<Building> out = new ArrayList<>();
    for (OsmExtract.OsmWay w : osm.ways) {
      String building = w.tags().get("building");
      if (building == null || building.equals("no")) {
        continue;
      }
      Polygon footprint = footprint(osm, w);
      if (footprint == null) {
        continue;
      }
      Point c = footprint.getInteriorPoint();
      int k = index.locate(c.getX(), c.getY());
      if (k < 0) {
        skipped.merge("buildings outside every district", 1, Integer::sum);
        continue;
      }
      out.add(new Building("b-w" + w.id(), communities.get(k).id(), footprint));
    }
    return out;
  }

  /**
   * A closed way's polygon, repaired when that keeps its area within 1%; null (counted) otherwise.
   */
  private Polygon footprint(OsmExtract osm, OsmExtract.OsmWay w) {
    long[] nodes = w.nodes();
    if (nodes.length < 4 || nodes[0] != nodes[nodes.length - 1]) {
      skipped.merge("buildings that are not closed ways of four or more nodes", 1, Integer::sum);
      return null;
    }
    LineString ring = line(osm, nodes);
    if (ring == null) {
      skipped.merge("buildings with nodes missing from the extract", 1, Integer::sum);
      return null;
    }
    Polygon p = F.createPolygon(ring.getCoordinates());
    if (p.isValid()) {
      return p;
    }
    Geometry fixed = GeometryFixer.fix(p);
    if (fixed instanceof Polygon q
        && p.getArea() > 0
        && Math.abs(q.getArea() - p.getArea()) / p.getArea() <= 0.01) {
      return q;
    }
    skipped.merge(
        "buildings with a broken footprint that cannot be repaired safely", 1, Integer::sum);
    return null;
  }

  private List<Facility> facilities(
      OsmExtract osm, List<District> districts, PolygonIndex districtIndex) {
    List<Facility> out = new ArrayList<>();
    for (OsmExtract.OsmNode n : osm.taggedNodes) {
      facility(out, "n" + n.id(), n.tags(), n.lon(), n.lat(), districts, districtIndex);
    }
    for (OsmExtract.OsmWay w : osm.ways) {
      if (kind(w.tags().get("amenity")) == null) {
        continue;
      }
      LineString line = line(osm, w.nodes());
      if (line == null) {
        skipped.merge("facilities with nodes missing from the extract", 1, Integer::sum);
        continue;
      }
      Point c =
          line.isClosed() && line.getNumPoints() >= 4
              ? F.createPolygon(line.getCoordinates()).getInteriorPoint()
              : line.getCentroid();
      facility(out, "w" + w.id(), w.tags(), c.getX(), c.getY(), districts, districtIndex);
    }
    return out;
  }

  private void facility(
      List<Facility> out,
      String osmId,
      Map<String, String> tags,
      double lon,
      double lat,
      List<District> districts,
      PolygonIndex districtIndex) {
    FacilityKind kind = kind(tags.get("amenity"));
    if (kind == null) {
      return;
    }
    int d = districtIndex.locate(lon, lat);
    if (d < 0) {
      skipped.merge("facilities outside every district", 1, Integer::sum);
      return;
    }
    String prefix =
        kind == FacilityKind.FIRE_STATION ? "fs" : kind == FacilityKind.HOSPITAL ? "h" : "p";
    String name =
        tags.getOrDefault(
            "name:en", tags.getOrDefault("name", kind.wireName().replace('_', ' ') + " " + osmId));
    out.add(new Facility(prefix + "-" + osmId, kind, name, districts.get(d).code(), lon, lat));
  }

  private static FacilityKind kind(String amenity) {
    if (amenity == null) {
      return null;
    }
    return switch (amenity) {
      case "fire_station" -> FacilityKind.FIRE_STATION;
      case "hospital" -> FacilityKind.HOSPITAL;
      case "police" -> FacilityKind.POLICE;
      default -> null;
    };
  }

  private CityManifest manifest(String cityName, ZoneId zone, List<District> districts) {
    Envelope env = new Envelope();
    districts.forEach(d -> env.expandToInclude(d.boundary().getEnvelopeInternal()));
    double widthDeg = Math.max(env.getWidth(), env.getHeight());
    int zoom =
        (int)
            Math.max(
                3,
                Math.min(
                    18, Math.floor(Math.log(360 / Math.max(widthDeg, 1e-6)) / Math.log(2)) + 1));
    String osmSource = "OpenStreetMap extract " + options.osm().getFileName();
    Map<String, CityManifest.LayerSource> layers = new LinkedHashMap<>();
    String generated = "generated by citybrain inside the districts, seed " + options.seed();
    layers.put(
        "districts",
        new CityManifest.LayerSource(
            "districts.geojson",
            districting.source(),
            options.districts() != null
                ? "as given with " + options.districts().getFileName()
                : OSM_LICENCE));
    layers.put(
        "communities",
        new CityManifest.LayerSource(
            "communities.geojson",
            options.communities() != null
                ? options.communities().getFileName().toString()
                : generated,
            options.communities() != null
                ? "as given with " + options.communities().getFileName()
                : "Apache-2.0 (citybrain)"));
    layers.put("roads", new CityManifest.LayerSource("roads.geojson", osmSource, OSM_LICENCE));
    layers.put(
        "buildings", new CityManifest.LayerSource("buildings.geojson", osmSource, OSM_LICENCE));
    layers.put(
        "zones",
        new CityManifest.LayerSource(
            "zones.geojson",
            options.zones() != null ? options.zones().getFileName().toString() : generated,
            options.zones() != null
                ? "as given with " + options.zones().getFileName()
                : "Apache-2.0 (citybrain)"));
    layers.put(
        "facilities", new CityManifest.LayerSource("facilities.geojson", osmSource, OSM_LICENCE));
    List<String> generatedLayers = new ArrayList<>();
    if (options.communities() == null) {
      generatedLayers.add("communities");
    }
    if (options.zones() == null) {
      generatedLayers.add("zones");
    }
    Map<String, String> names = new LinkedHashMap<>();
    names.put("en", cityName);
    if (options.nameZh() != null) {
      names.put("zh", options.nameZh());
    }
    String id =
        cityName
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9._-]+", "-")
            .replaceAll("^-+|-+$", "");
    return new CityManifest(
            CityManifest.FORMAT,
            id.isEmpty() ? "city" : id.length() > 32 ? id.substring(0, 32) : id,
            names,
            zone.getId(),
            new CityManifest.View(env.centre().x, env.centre().y, zoom),
            new CityManifest.CodeScheme(districting.scheme(), districting.pattern()),
            generatedLayers.isEmpty()
                ? null
                : new CityManifest.Generated(options.seed(), generatedLayers),
            layers)
        .checked("the imported manifest");
  }
}
