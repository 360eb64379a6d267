package io.citybrain.geo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The city: districts, communities, road segments, buildings, utility zones and facilities, as a
 * city package holds them (docs/geography.md). For the demo city, {@link #generate(long)} generates
 * the finer geography inside the 13 real districts of Hangzhou from a seed; the same seed always
 * gives the same city, byte for byte in its GeoJSON export; {@link #generate(long)} builds each
 * seed once per JVM and caches it, with its {@link CityIndex}.
 *
 * <p>Immutable and safe to share between threads; the lists are unmodifiable and the geometries
 * must not be modified.
 */
public final class CityModel {

  /** The seed of the city used when none is given (the local city, the jobs' default). */
  public static final long DEFAULT_SEED = 42;

  private static final Map<Long, CityModel> CACHE = new ConcurrentHashMap<>();

  private final long seed;
  private final List<District> districts;
  private final List<Community> communities;
  private final List<RoadSegment> roads;
  private final List<Building> buildings;
  private final List<UtilityZone> zones;
  private final List<Facility> facilities;
  private final CityIndex index;

  CityModel(
      long seed,
      List<District> districts,
      List<Community> communities,
      List<RoadSegment> roads,
      List<Building> buildings,
      List<UtilityZone> zones,
      List<Facility> facilities) {
    this.seed = seed;
    this.districts = List.copyOf(districts);
    this.communities = List.copyOf(communities);
    this.roads = List.copyOf(roads);
    this.buildings = List.copyOf(buildings);
    this.zones = List.copyOf(zones);
    this.facilities = List.copyOf(facilities);
    this.index = new CityIndex(this);
  }

  /**
   * A city from its layers (an import, a package), not cached. Refuses, naming the feature, a
   * community or zone whose district is not one of {@code districts} or which lies outside it.
   */
  public static CityModel of(
      long seed,
      List<District> districts,
      List<Community> communities,
      List<RoadSegment> roads,
      List<Building> buildings,
      List<UtilityZone> zones,
      List<Facility> facilities) {
    Map<String, District> byCode = byCode(districts);
    for (Community c : communities) {
      checkInDistrict("community '" + c.id() + "'", c.districtCode(), c.boundary(), byCode);
    }
    for (UtilityZone z : zones) {
      checkInDistrict("zone '" + z.id() + "'", z.districtCode(), z.boundary(), byCode);
    }
    checkRoads(roads, byCode);
    return new CityModel(seed, districts, communities, roads, buildings, zones, facilities);
  }

  private static Map<String, District> byCode(List<District> districts) {
    Map<String, District> byCode = new java.util.HashMap<>();
    for (District d : districts) {
      byCode.put(d.code(), d);
    }
    return byCode;
  }

  /** The city of this seed, generated on first use and cached for the life of the JVM. */
  public static CityModel generate(long seed) {
    return CACHE.computeIfAbsent(seed, s -> new CityGenerator(s, Districts.hangzhou()).generate());
  }

  /** The city of {@link #DEFAULT_SEED}. */
  public static CityModel hangzhou() {
    return generate(DEFAULT_SEED);
  }

  public long seed() {
    return seed;
  }

  public List<District> districts() {
    return districts;
  }

  public List<Community> communities() {
    return communities;
  }

  public List<RoadSegment> roads() {
    return roads;
  }

  public List<Building> buildings() {
    return buildings;
  }

  public List<UtilityZone> zones() {
    return zones;
  }

  public List<Facility> facilities() {
    return facilities;
  }

  /**
   * This city with one layer replaced by {@code file} (its communities or its zones), everything
   * else kept, and a new index; not cached. Refuses, naming the feature, an area whose {@code
   * district} is not a district of this city or which lies outside that district (its interior
   * point is not in it). Building the index takes a few hundred milliseconds for Hangzhou.
   */
  public CityModel with(LayerFile file) {
    Map<String, District> byCode = byCode(districts);
    if (file.layer() == Layer.ROADS) {
      checkRoads(file.roads(), byCode);
      return new CityModel(
          seed, districts, communities, file.roads(), buildings, zones, facilities);
    }
    if (file.layer() == Layer.COMMUNITIES) {
      for (Community c : file.communities()) {
        checkInDistrict("community '" + c.id() + "'", c.districtCode(), c.boundary(), byCode);
      }
      return new CityModel(
          seed, districts, file.communities(), roads, buildings, zones, facilities);
    }
    for (UtilityZone z : file.zones()) {
      checkInDistrict("zone '" + z.id() + "'", z.districtCode(), z.boundary(), byCode);
    }
    return new CityModel(seed, districts, communities, roads, buildings, file.zones(), facilities);
  }

  /**
   * A road's district must be one of the city's; its middle need not lie in it (a road may cross a
   * border).
   */
  private static void checkRoads(List<RoadSegment> roads, Map<String, District> byCode) {
    for (RoadSegment r : roads) {
      if (!byCode.containsKey(r.districtCode())) {
        throw new IllegalArgumentException(
            "road '"
                + r.id()
                + "' names district '"
                + r.districtCode()
                + "', which is not a district of the city");
      }
    }
  }

  private static void checkInDistrict(
      String label,
      String code,
      org.locationtech.jts.geom.Geometry area,
      Map<String, District> byCode) {
    District d = byCode.get(code);
    if (d == null) {
      throw new IllegalArgumentException(
          label + " names district '" + code + "', which is not a district of the city");
    }
    if (!d.boundary().covers(area.getInteriorPoint())) {
      throw new IllegalArgumentException(label + " lies outside its district '" + code + "'");
    }
  }

  /** The spatial index answering every question about this city's geography. */
  public CityIndex index() {
    return index;
  }
}
