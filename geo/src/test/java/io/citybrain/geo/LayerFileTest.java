package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;

class LayerFileTest {

  private static final CityModel CITY = CityModel.hangzhou();

  private static LayerFile read(Layer layer, String json) {
    return LayerFile.read(layer, json.getBytes(StandardCharsets.UTF_8), "update.geojson");
  }

  private static String feature(String properties, String coordinates) {
    return "{\"type\":\"Feature\",\"properties\":{"
        + properties
        + "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        + coordinates
        + "}}";
  }

  private static String collection(String... features) {
    return "{\"type\":\"FeatureCollection\",\"version\":\"v7\",\"features\":["
        + String.join(",", features)
        + "]}";
  }

  /** A square of ~100 m inside district 330106 (West Lake), as GeoJSON coordinates. */
  private static String squareIn330106() {
    District d =
        CITY.districts().stream().filter(x -> x.code().equals("330106")).findFirst().orElseThrow();
    Point p = d.boundary().getInteriorPoint();
    double x = p.getX();
    double y = p.getY();
    return String.format(
        java.util.Locale.ROOT,
        "[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]",
        x,
        y,
        x + 0.001,
        y,
        x + 0.001,
        y + 0.001,
        x,
        y + 0.001,
        x,
        y);
  }

  @Test
  void theExportedLayersReadBackWithTheirVersionAndReplaceOnlyTheirLayer() {
    List<Community> renamed = new ArrayList<>(CITY.communities());
    Community first = renamed.get(0);
    renamed.set(0, new Community("c-renamed", first.districtCode(), "Renamed", first.boundary()));

    LayerFile file =
        LayerFile.read(
            Layer.COMMUNITIES,
            CityGeoJson.communities(renamed, "2026-11-24.1"),
            "communities.geojson");
    CityModel replaced = CITY.with(file);

    assertThat(file.version()).isEqualTo("2026-11-24.1");
    assertThat(file.zones()).isEmpty();
    Point inside = first.boundary().getInteriorPoint();
    assertThat(CITY.index().locate(inside.getX(), inside.getY()).communityId())
        .isEqualTo(first.id());
    assertThat(replaced.index().locate(inside.getX(), inside.getY()).communityId())
        .isEqualTo("c-renamed");
    assertThat(replaced.communities()).hasSameSizeAs(CITY.communities());
    assertThat(replaced.zones()).isSameAs(CITY.zones());
    assertThat(replaced.roads()).isSameAs(CITY.roads());
    assertThat(CityModel.hangzhou()).isSameAs(CITY);
  }

  @Test
  void aZoneSplitInTwoPlacesEachHalfInItsNewZone() {
    UtilityZone water =
        CITY.zones().stream().filter(z -> z.utility() == Utility.WATER).findFirst().orElseThrow();
    Envelope e = water.boundary().getEnvelopeInternal();
    double midX = (e.getMinX() + e.getMaxX()) / 2;
    Geometry west =
        water
            .boundary()
            .intersection(rectangle(e.getMinX() - 1, midX, e.getMinY() - 1, e.getMaxY() + 1));
    Geometry east =
        water
            .boundary()
            .intersection(rectangle(midX, e.getMaxX() + 1, e.getMinY() - 1, e.getMaxY() + 1));
    List<UtilityZone> zones = new ArrayList<>(CITY.zones());
    zones.remove(water);
    zones.add(new UtilityZone(water.id() + "-w", Utility.WATER, water.districtCode(), west));
    zones.add(new UtilityZone(water.id() + "-e", Utility.WATER, water.districtCode(), east));

    CityModel replaced =
        CITY.with(LayerFile.read(Layer.ZONES, CityGeoJson.zones(zones, null), "zones.geojson"));

    Point w = west.getInteriorPoint();
    Point o = east.getInteriorPoint();
    assertThat(replaced.index().locate(w.getX(), w.getY()).zone(Utility.WATER))
        .map(UtilityZone::id)
        .contains(water.id() + "-w");
    assertThat(replaced.index().locate(o.getX(), o.getY()).zone(Utility.WATER))
        .map(UtilityZone::id)
        .contains(water.id() + "-e");
    assertThat(CITY.index().locate(o.getX(), o.getY()).zone(Utility.WATER))
        .map(UtilityZone::id)
        .contains(water.id());
    assertThat(replaced.communities()).isSameAs(CITY.communities());
  }

  private static Polygon rectangle(double minX, double maxX, double minY, double maxY) {
    return (Polygon) GeoJsonFeatures.WGS84.toGeometry(new Envelope(minX, maxX, minY, maxY));
  }

  @Test
  void aLayerWithoutAVersionReadsWithANullVersion() {
    LayerFile f =
        read(
            Layer.COMMUNITIES,
            "{\"type\":\"FeatureCollection\",\"features\":["
                + feature("\"id\":\"c-1\",\"district\":\"330106\"", squareIn330106())
                + "]}");
    assertThat(f.version()).isNull();
    assertThat(f.communities()).extracting(Community::id).containsExactly("c-1");
  }

  @Test
  void aSelfIntersectingCommunityIsRefusedNamingIt() {
    String bowtie =
        "[[[120.10,30.25],[120.11,30.26],[120.11,30.25],[120.10,30.26],[120.10,30.25]]]";
    assertThatThrownBy(
            () ->
                read(
                    Layer.COMMUNITIES,
                    collection(
                        feature("\"id\":\"c-ok\",\"district\":\"330106\"", squareIn330106()),
                        feature("\"id\":\"c-bowtie\",\"district\":\"330106\"", bowtie))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("update.geojson feature #1 'c-bowtie'")
        .hasMessageContaining("cannot be repaired safely");
  }

  @Test
  void anUnclosedRingIsRefusedNamingTheFeature() {
    assertThatThrownBy(
            () ->
                read(
                    Layer.ZONES,
                    collection(
                        feature(
                            "\"id\":\"w-x\",\"utility\":\"water\",\"district\":\"330106\"",
                            "[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3]]]"))))
        .hasMessageContaining("update.geojson feature #0 'w-x'")
        .hasMessageContaining("exterior ring is not closed");
  }

  @Test
  void aRepeatedIdAnUnknownUtilityAndAMissingDistrictAreRefused() {
    String sq = squareIn330106();
    assertThatThrownBy(
            () ->
                read(
                    Layer.COMMUNITIES,
                    collection(
                        feature("\"id\":\"c-1\",\"district\":\"330106\"", sq),
                        feature("\"id\":\"c-1\",\"district\":\"330106\"", sq))))
        .hasMessage("update.geojson feature #1 'c-1' repeats the id of an earlier feature");
    assertThatThrownBy(
            () ->
                read(
                    Layer.ZONES,
                    collection(
                        feature(
                            "\"id\":\"s-1\",\"utility\":\"steam\",\"district\":\"330106\"", sq))))
        .hasMessage(
            "update.geojson feature #0 's-1' has utility 'steam'; it must be water, power or gas");
    assertThatThrownBy(() -> read(Layer.COMMUNITIES, collection(feature("\"id\":\"c-2\"", sq))))
        .hasMessage("update.geojson feature #0 'c-2' has no district");
    assertThatThrownBy(
            () -> read(Layer.COMMUNITIES, collection(feature("\"district\":\"330106\"", sq))))
        .hasMessage("update.geojson feature #0 has no id");
    assertThatThrownBy(() -> read(Layer.COMMUNITIES, collection()))
        .hasMessageContaining("update.geojson has no features");
  }

  @Test
  void anAreaInAnUnknownDistrictOrOutsideItsDistrictIsRefusedByTheCity() {
    String sq = squareIn330106();
    assertThatThrownBy(
            () ->
                CITY.with(
                    read(
                        Layer.COMMUNITIES,
                        collection(feature("\"id\":\"c-1\",\"district\":\"999999\"", sq)))))
        .hasMessage("community 'c-1' names district '999999', which is not a district of the city");
    assertThatThrownBy(
            () ->
                CITY.with(
                    read(
                        Layer.ZONES,
                        collection(
                            feature(
                                "\"id\":\"w-1\",\"utility\":\"water\",\"district\":\"330110\"",
                                sq)))))
        .hasMessage("zone 'w-1' lies outside its district '330110'");
  }

  @Test
  void layerNamesAreTheWireNames() {
    assertThat(Layer.of("communities")).isEqualTo(Layer.COMMUNITIES);
    assertThat(Layer.of("zones")).isEqualTo(Layer.ZONES);
    assertThat(Layer.of("roads")).isEqualTo(Layer.ROADS);
    assertThatThrownBy(() -> Layer.of("trams"))
        .hasMessage("layer must be communities, zones or roads, got 'trams'");
  }
}
