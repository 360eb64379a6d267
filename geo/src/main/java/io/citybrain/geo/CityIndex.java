package io.citybrain.geo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.locationtech.jts.geom.Geometry;

/**
 * Every spatial question the jobs ask of the city, each in one call: which areas a point is in
 * ({@link #locate}), which building ({@link #buildingAt}), the nearest facility of a kind, and map
 * matching of probe positions ({@link #matchRoad}). Boundaries have {@code covers} semantics; where
 * areas of one layer share an edge the one earlier in the model's list wins.
 *
 * <p>Built once from a {@link CityModel} (or from lists of features, for tests); immutable and safe
 * to query from many threads.
 */
public final class CityIndex {

  private static final double AREA_LEAF_DEG = 0.0005;
  private static final double COMMUNITY_LEAF_DEG = 0.0002;
  private static final double BUILDING_LEAF_DEG = 0.0002;

  private final List<District> districts;
  private final List<Community> communities;
  private final List<Building> buildings;
  private final List<Facility> facilities;
  private final PolygonIndex districtIndex;
  private final PolygonIndex communityIndex;
  private final PolygonIndex buildingIndex;
  private final List<UtilityZone>[] zonesByUtility;
  private final PolygonIndex[] zoneIndex;
  private final RoadMatcher roads;
  private final Map<String, RoadSegment> roadsById = new HashMap<>();
  private final Map<String, Community> communitiesById = new HashMap<>();

  CityIndex(CityModel city) {
    this(
        city.districts(),
        city.communities(),
        city.zones(),
        city.buildings(),
        city.facilities(),
        city.roads());
  }

  /**
   * An index over the given features; each list keeps its order, which decides ties on shared
   * edges.
   */
  @SuppressWarnings("unchecked")
  public CityIndex(
      List<District> districts,
      List<Community> communities,
      List<UtilityZone> zones,
      List<Building> buildings,
      List<Facility> facilities,
      List<RoadSegment> roads) {
    this.districts = List.copyOf(districts);
    this.communities = List.copyOf(communities);
    this.buildings = List.copyOf(buildings);
    this.facilities = List.copyOf(facilities);
    this.districtIndex =
        new PolygonIndex(geometries(this.districts, District::boundary), AREA_LEAF_DEG);
    this.communityIndex =
        new PolygonIndex(geometries(this.communities, Community::boundary), COMMUNITY_LEAF_DEG);
    this.buildingIndex =
        new PolygonIndex(geometries(this.buildings, Building::footprint), BUILDING_LEAF_DEG);
    Utility[] utilities = Utility.values();
    zonesByUtility = new List[utilities.length];
    zoneIndex = new PolygonIndex[utilities.length];
    for (Utility u : utilities) {
      List<UtilityZone> of = zones.stream().filter(z -> z.utility() == u).toList();
      zonesByUtility[u.ordinal()] = of;
      zoneIndex[u.ordinal()] =
          new PolygonIndex(geometries(of, UtilityZone::boundary), AREA_LEAF_DEG);
    }
    this.roads = new RoadMatcher(roads);
    for (RoadSegment r : roads) {
      roadsById.put(r.id(), r);
    }
    for (Community c : this.communities) {
      communitiesById.put(c.id(), c);
    }
  }

  private static <T> List<Geometry> geometries(
      List<T> features, java.util.function.Function<T, Geometry> geometry) {
    List<Geometry> out = new ArrayList<>(features.size());
    for (T f : features) {
      out.add(geometry.apply(f));
    }
    return out;
  }

  /**
   * Every area covering the point: district, community and the zone of each utility; {@link
   * Areas#OUTSIDE} when no district covers it (then nothing else is looked up: the city ends at its
   * districts).
   */
  public Areas locate(double lon, double lat) {
    int d = districtIndex.locate(lon, lat);
    if (d < 0) {
      return Areas.OUTSIDE;
    }
    int c = communityIndex.locate(lon, lat);
    return new Areas(
        districts.get(d),
        c < 0 ? null : communities.get(c),
        zone(Utility.WATER, lon, lat),
        zone(Utility.POWER, lon, lat),
        zone(Utility.GAS, lon, lat));
  }

  private UtilityZone zone(Utility u, double lon, double lat) {
    int z = zoneIndex[u.ordinal()].locate(lon, lat);
    return z < 0 ? null : zonesByUtility[u.ordinal()].get(z);
  }

  /** The district covering the point, or empty outside the city. */
  public Optional<District> district(double lon, double lat) {
    int d = districtIndex.locate(lon, lat);
    return d < 0 ? Optional.empty() : Optional.of(districts.get(d));
  }

  /** The building whose footprint covers the point, if any. */
  public Optional<Building> buildingAt(double lon, double lat) {
    int b = buildingIndex.locate(lon, lat);
    return b < 0 ? Optional.empty() : Optional.of(buildings.get(b));
  }

  /**
   * The facility of this kind nearest to the point, with its metric straight-line distance; empty
   * when the city has none of that kind. Ties go to the facility earlier in the list.
   */
  public Optional<FacilityDistance> nearestFacility(FacilityKind kind, double lon, double lat) {
    Facility best = null;
    double bestM = Double.MAX_VALUE;
    for (Facility f : facilities) {
      if (f.kind() == kind) {
        double m = Metric.distanceM(lon, lat, f.lon(), f.lat());
        if (m < bestM) {
          best = f;
          bestM = m;
        }
      }
    }
    return best == null ? Optional.empty() : Optional.of(new FacilityDistance(best, bestM));
  }

  /** Map matching of a probe position; see {@link RoadMatcher#match}. */
  public Optional<RoadMatch> matchRoad(double lon, double lat, double headingDeg) {
    return roads.match(lon, lat, headingDeg);
  }

  /** The road segment with this id. */
  public Optional<RoadSegment> road(String id) {
    return Optional.ofNullable(roadsById.get(id));
  }

  /** The community with this id. */
  public Optional<Community> community(String id) {
    return Optional.ofNullable(communitiesById.get(id));
  }
}
