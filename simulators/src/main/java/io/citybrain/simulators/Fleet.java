package io.citybrain.simulators;

import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.geo.Building;
import io.citybrain.geo.CityManifest;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.Community;
import io.citybrain.geo.District;
import io.citybrain.geo.RoadClass;
import io.citybrain.geo.RoadSegment;
import io.citybrain.geo.Utility;
import io.citybrain.geo.UtilityZone;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

/**
 * The simulated devices, placed on the city model deterministically from a seed: loop detectors on
 * road segments, probe vehicles on the road network, utility meters in their zones, smoke detectors
 * in buildings (two per building, so a fire can be confirmed), SOS buttons in communities, flood
 * gauges at road side, and a hotline per district that files resident tickets.
 */
public final class Fleet {

  /**
   * A device of the registry ({@code devices.csv}); the place fields are those that apply to its
   * kind, else null.
   */
  public record Device(
      String id,
      String domain,
      String kind,
      double lon,
      double lat,
      String district,
      String segment,
      String building,
      String zone,
      String community) {

    public String topic() {
      return "city/" + domain + "/" + kind + "/" + id;
    }
  }

  /** Shares of each kind in a fleet of N devices (of N, at least one each). */
  private static final Object[][] MIX = {
    {"traffic", "loop", 0.10},
    {"traffic", "probe", 0.30},
    {"utility", "water", 0.15},
    {"utility", "power", 0.25},
    {"utility", "gas", 0.05},
    {"emergency", "smoke", 0.10},
    {"emergency", "sos", 0.03},
    {"emergency", "flood", 0.02}
  };

  private static final GeometryFactory GF = new GeometryFactory();
  private final List<Device> devices;
  private final CityModel city;
  private final ZoneId zone;
  private final String incidentSegment;
  private final String burstZone;
  private final String outageZone;
  private final String fireBuilding;

  private Fleet(
      CityModel city,
      ZoneId zone,
      List<Device> devices,
      String incidentSegment,
      String burstZone,
      String outageZone,
      String fireBuilding) {
    this.city = city;
    this.zone = zone;
    this.devices = List.copyOf(devices);
    this.incidentSegment = incidentSegment;
    this.burstZone = burstZone;
    this.outageZone = outageZone;
    this.fireBuilding = fireBuilding;
  }

  /**
   * The fleet of {@code size} devices on the package's city, placed from {@code seed}. Most devices
   * go to the manifest's focus districts (all districts when it names none); the scenarios' targets
   * (the incident segment, burst and outage zones, fire building) are the first, by id, of its
   * scenario district (else the district with the most road segments).
   */
  public static Fleet build(CityPackage pkg, int size, long seed) {
    if (size < MIX.length + 1) {
      throw new IllegalArgumentException(
          "--devices must be at least " + (MIX.length + 1) + ", got " + size);
    }
    CityModel city = pkg.city();
    CityManifest.Simulation hints = pkg.manifest().simulation();
    List<String> focus =
        hints != null && !hints.focusDistricts().isEmpty()
            ? hints.focusDistricts()
            : city.districts().stream().map(District::code).toList();
    String scenario =
        hints != null && hints.scenarioDistrict() != null
            ? hints.scenarioDistrict()
            : busiestDistrict(city);
    Map<String, String> communityDistrict = new HashMap<>();
    city.communities().forEach(c -> communityDistrict.put(c.id(), c.districtCode()));
    Random r = new Random(seed);
    List<Device> out = new ArrayList<>();
    List<RoadSegment> focusRoads =
        city.roads().stream()
            .filter(s -> focus.contains(s.districtCode()))
            .sorted(Comparator.comparing(RoadSegment::id))
            .toList();
    List<RoadSegment> roads = focusRoads.isEmpty() ? city.roads() : focusRoads;
    // The scenarios' targets, chosen the same way every time: the first arterial of the scenario
    // district, its first water and power zones, the first building of its communities.
    RoadSegment incident =
        roads.stream()
            .filter(s -> s.districtCode().equals(scenario) && s.roadClass() == RoadClass.ARTERIAL)
            .findFirst()
            .orElse(
                roads.stream()
                    .filter(s -> s.districtCode().equals(scenario))
                    .findFirst()
                    .orElse(roads.get(0)));
    UtilityZone water = firstZone(city, Utility.WATER, scenario);
    UtilityZone power = firstZone(city, Utility.POWER, scenario);
    List<Building> focusBuildings =
        city.buildings().stream()
            .filter(b -> focus.contains(communityDistrict.get(b.communityId())))
            .sorted(Comparator.comparing(Building::id))
            .toList();
    Building building =
        focusBuildings.stream()
            .filter(b -> scenario.equals(communityDistrict.get(b.communityId())))
            .findFirst()
            .orElse(focusBuildings.isEmpty() ? null : focusBuildings.get(0));
    List<Community> focusCommunities =
        city.communities().stream().filter(c -> focus.contains(c.districtCode())).toList();
    for (Object[] mix : MIX) {
      String domain = (String) mix[0];
      String kind = (String) mix[1];
      int n = Math.max(1, (int) Math.round(size * (double) mix[2]));
      if (kind.equals("smoke") && building == null) {
        continue; // a city without buildings has no smoke detectors
      }
      for (int i = 0; i < n; i++) {
        String id = String.format(Locale.ROOT, "%s-%06d", kind, i);
        out.add(
            place(
                city,
                domain,
                kind,
                id,
                i,
                r,
                roads,
                incident,
                water,
                power,
                building,
                focus,
                focusBuildings,
                focusCommunities));
      }
    }
    for (String district : focus) {
      double[] p =
          randomPointIn(
              city.districts().stream()
                  .filter(d -> d.code().equals(district))
                  .findFirst()
                  .orElseThrow()
                  .boundary(),
              r);
      out.add(
          new Device(
              "hotline-" + district,
              "community",
              "ticket",
              p[0],
              p[1],
              district,
              null,
              null,
              null,
              null));
    }
    return new Fleet(
        city,
        pkg.manifest().zone(),
        out,
        incident.id(),
        water.id(),
        power.id(),
        building == null ? "" : building.id());
  }

  private static String busiestDistrict(CityModel city) {
    Map<String, Integer> roads = new HashMap<>();
    city.roads().forEach(s -> roads.merge(s.districtCode(), 1, Integer::sum));
    return city.districts().stream()
        .map(District::code)
        .max(
            Comparator.comparingInt((String d) -> roads.getOrDefault(d, 0))
                .thenComparing(Comparator.reverseOrder()))
        .orElseThrow();
  }

  private static UtilityZone firstZone(CityModel city, Utility u, String district) {
    return city.zones().stream()
        .filter(z -> z.utility() == u)
        .sorted(Comparator.comparing(UtilityZone::id))
        .filter(z -> z.districtCode().equals(district))
        .findFirst()
        .orElseGet(
            () -> city.zones().stream().filter(z -> z.utility() == u).findFirst().orElseThrow());
  }

  private static Device place(
      CityModel city,
      String domain,
      String kind,
      String id,
      int i,
      Random r,
      List<RoadSegment> roads,
      RoadSegment incident,
      UtilityZone water,
      UtilityZone power,
      Building fireBuilding,
      List<String> focus,
      List<Building> focusBuildings,
      List<Community> focusCommunities) {
    switch (kind) {
      case "loop", "probe", "flood" -> {
        // The first loop watches the incident segment, so the scenario is seen by a detector too.
        RoadSegment s =
            kind.equals("loop") && i == 0 ? incident : roads.get(r.nextInt(roads.size()));
        Coordinate c = Roads.pointAt(s, 0.5);
        return new Device(id, domain, kind, c.x, c.y, s.districtCode(), s.id(), null, null, null);
      }
      case "water", "power", "gas" -> {
        Utility u = Utility.valueOf(kind.toUpperCase(Locale.ROOT));
        List<UtilityZone> zones =
            city.zones().stream()
                .filter(z -> z.utility() == u && focus.contains(z.districtCode()))
                .toList();
        // The first three water meters and the first five power meters go to the scenario zones.
        UtilityZone z =
            kind.equals("water") && i < 3
                ? water
                : kind.equals("power") && i < 5 ? power : zones.get(r.nextInt(zones.size()));
        double[] p = randomPointIn(z.boundary(), r);
        return new Device(id, domain, kind, p[0], p[1], z.districtCode(), null, null, z.id(), null);
      }
      case "smoke" -> {
        // Two detectors per building, the scenario's building first.
        List<Building> buildings = new ArrayList<>(focusBuildings);
        buildings.remove(fireBuilding);
        buildings.add(0, fireBuilding);
        Building b = buildings.get((i / 2) % buildings.size());
        Coordinate c = b.footprint().getInteriorPoint().getCoordinate();
        String district = city.index().locate(c.x, c.y).districtCode();
        return new Device(
            id, domain, kind, c.x, c.y, district, null, b.id(), null, b.communityId());
      }
      default -> { // sos
        Community c = focusCommunities.get(r.nextInt(focusCommunities.size()));
        double[] p = randomPointIn(c.boundary(), r);
        return new Device(id, domain, kind, p[0], p[1], c.districtCode(), null, null, null, c.id());
      }
    }
  }

  static double[] randomPointIn(Geometry g, Random r) {
    Envelope env = g.getEnvelopeInternal();
    PreparedGeometry prepared = PreparedGeometryFactory.prepare(g);
    for (int i = 0; i < 10_000; i++) {
      double lon = env.getMinX() + r.nextDouble() * env.getWidth();
      double lat = env.getMinY() + r.nextDouble() * env.getHeight();
      if (prepared.covers(GF.createPoint(new Coordinate(lon, lat)))) {
        return new double[] {lon, lat};
      }
    }
    Coordinate c = g.getInteriorPoint().getCoordinate();
    return new double[] {c.x, c.y};
  }

  public List<Device> devices() {
    return devices;
  }

  public CityModel city() {
    return city;
  }

  /** The city's time zone: daily patterns (rush hours, night) follow its clock. */
  public ZoneId zone() {
    return zone;
  }

  /** The segment the {@code incident} scenario blocks. */
  public String incidentSegment() {
    return incidentSegment;
  }

  public String burstZone() {
    return burstZone;
  }

  public String outageZone() {
    return outageZone;
  }

  public String fireBuilding() {
    return fireBuilding;
  }

  /** The fleet as the device registry sees it: where each device is and what it belongs to. */
  public List<RegisteredDevice> registry() {
    return devices.stream()
        .map(
            d ->
                new RegisteredDevice(
                    d.id(),
                    d.domain(),
                    d.kind(),
                    d.lat(),
                    d.lon(),
                    d.district(),
                    d.segment(),
                    d.building(),
                    d.zone(),
                    d.community()))
        .toList();
  }

  /** Writes the registry ({@code devices.csv}) that the bridge and the jobs load. */
  public void writeRegistry(Path csv) {
    DeviceRegistry.write(csv, registry());
  }
}
