package io.citybrain.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.util.PolygonExtracter;
import org.locationtech.jts.triangulate.VoronoiDiagramBuilder;

/**
 * Communities and utility zones for a city that has real districts (and perhaps real roads and
 * buildings) but no data for these areas: each district is cut into Voronoi cells of seeded points.
 * They tile their district without gap or overlap, so every building and meter of the district lies
 * in exactly one community and one zone of each utility. An operator replaces them with real ones
 * at import ({@code --communities}, {@code --zones}) or later ({@code city publish}).
 */
public final class GeneratedAreas {

  /**
   * About one community per this many square metres of district (and at least {@link
   * #MIN_COMMUNITIES}).
   */
  static final double COMMUNITY_AREA_M2 = 250_000;

  static final int MIN_COMMUNITIES = 4;
  static final int MAX_COMMUNITIES = 400;
  private static final GeometryFactory F = GeoJsonFeatures.WGS84;

  private GeneratedAreas() {}

  /**
   * Communities for every district: {@code c-<district>-<nnnn>}, named after the district; the same
   * seed and districts give the same communities.
   */
  public static List<Community> communities(List<District> districts, long seed) {
    Random r = new Random(seed * 1_000_003L + 11);
    List<Community> out = new ArrayList<>();
    for (District d : districts) {
      int count =
          (int)
              Math.max(
                  MIN_COMMUNITIES,
                  Math.min(MAX_COMMUNITIES, Math.round(areaM2(d.boundary()) / COMMUNITY_AREA_M2)));
      int k = 0;
      for (Geometry cell : voronoi(d, count, r)) {
        for (int i = 0; i < cell.getNumGeometries(); i++) {
          String id = String.format(Locale.ROOT, "c-%s-%04d", d.code(), ++k);
          Polygon p =
              (Polygon)
                  Boundaries.checked(cell.getGeometryN(i), "community '" + id + "'")
                      .getGeometryN(0);
          out.add(new Community(id, d.code(), d.name() + " community " + k, p));
        }
      }
    }
    return out;
  }

  /**
   * Zones of every utility for every district: 4 water, 6 power, 2 gas, as the generated Hangzhou's
   * urban districts.
   */
  public static List<UtilityZone> zones(List<District> districts, long seed) {
    Random r = new Random(seed * 1_000_003L + 12);
    List<UtilityZone> out = new ArrayList<>();
    for (Utility u : Utility.values()) {
      int count = u == Utility.WATER ? 4 : u == Utility.POWER ? 6 : 2;
      for (District d : districts) {
        List<Geometry> parts = voronoi(d, count, r);
        for (int k = 0; k < parts.size(); k++) {
          String id = String.format(Locale.ROOT, "%s-%s-%02d", u.idPrefix(), d.code(), k + 1);
          out.add(
              new UtilityZone(
                  id, u, d.code(), Boundaries.checked(parts.get(k), "zone '" + id + "'")));
        }
      }
    }
    return out;
  }

  /**
   * Metric area of a lon/lat geometry, in the tangent plane at its centre (good to a percent for a
   * city).
   */
  static double areaM2(Geometry g) {
    double lat = g.getEnvelopeInternal().centre().y;
    return g.getArea() * Metric.metresPerDegreeLon(lat) * Metric.metresPerDegreeLat(lat);
  }

  /** The district split into Voronoi cells of {@code count} seeded points, in the points' order. */
  static List<Geometry> voronoi(District d, int count, Random r) {
    List<Coordinate> sites = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      double[] p = DistrictIndex.randomPointIn(d, r);
      sites.add(new Coordinate(CityGenerator.round7(p[0]), CityGenerator.round7(p[1])));
    }
    VoronoiDiagramBuilder builder = new VoronoiDiagramBuilder();
    builder.setSites(sites);
    builder.setClipEnvelope(d.boundary().getEnvelopeInternal());
    Geometry cells = builder.getDiagram(F);
    List<Geometry> out = new ArrayList<>();
    for (Coordinate site : sites) {
      for (int i = 0; i < cells.getNumGeometries(); i++) {
        Geometry cell = cells.getGeometryN(i);
        if (site.equals2D((Coordinate) cell.getUserData())) {
          Geometry clipped = cell.intersection(d.boundary());
          @SuppressWarnings("unchecked")
          List<Polygon> polys = PolygonExtracter.getPolygons(clipped);
          Geometry part =
              polys.size() == 1
                  ? polys.get(0)
                  : F.createMultiPolygon(polys.toArray(new Polygon[0]));
          if (!part.isEmpty() && part instanceof Polygonal) {
            out.add(part);
          }
          break;
        }
      }
    }
    return out;
  }
}
