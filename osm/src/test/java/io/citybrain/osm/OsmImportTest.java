package io.citybrain.osm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import crosby.binary.file.BlockOutputStream;
import crosby.binary.osmosis.OsmosisSerializer;
import io.citybrain.geo.Building;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.RoadClass;
import io.citybrain.geo.RoadSegment;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openstreetmap.osmosis.xml.common.CompressionMethod;
import org.openstreetmap.osmosis.xml.v0_6.XmlReader;

/**
 * Imports the real OpenStreetMap extracts Debian's {@code python-osmnx-doc} ships (ODbL, (c)
 * OpenStreetMap contributors; {@code .ci/run} installs the package). Without it the tests are
 * skipped, except under {@code CI=true}, where its absence fails them.
 */
class OsmImportTest {

  static final Path DATA = Path.of("/usr/share/doc/python-osmnx-doc/examples/tests/input_data");
  static final Path OAKLAND = DATA.resolve("West-Oakland.osm.bz2");
  static final Path GERMAN = DATA.resolve("planet_10.068,48.135_10.071,48.137.osm");

  @TempDir Path tmp;

  @BeforeAll
  static void extractsInstalled() {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(OAKLAND).as("apt-get install python-osmnx-doc (.ci/run does)").exists();
    }
    assumeTrue(Files.exists(OAKLAND) && Files.exists(GERMAN), "python-osmnx-doc is not installed");
  }

  private OsmImport.Options options(Path osm, Path out) {
    return new OsmImport.Options(
        osm, out, null, null, null, "West Oakland", null, "America/Los_Angeles", false, 42);
  }

  @Test
  void westOaklandBecomesAPackageOfItsRealStreetsAndBuildings() throws IOException {
    List<String> lines = new ArrayList<>();
    Path out = tmp.resolve("west-oakland");

    OsmImport.Report report = OsmImport.run(options(OAKLAND, out), lines::add);

    CityPackage city = CityPackage.read(out);
    assertThat(city.manifest().englishName()).isEqualTo("West Oakland");
    assertThat(city.manifest().timeZone()).isEqualTo("America/Los_Angeles");
    assertThat(city.manifest().layers().get("roads").licence())
        .contains("ODbL")
        .contains("OpenStreetMap contributors");
    assertThat(city.city().districts())
        .singleElement()
        .satisfies(d -> assertThat(d.code()).isEqualTo("d1"));
    assertThat(lines)
        .anyMatch(l -> l.contains("one district 'd1' covering the extract's roads and buildings"));

    List<RoadSegment> roads = city.city().roads();
    assertThat(roads)
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.id()).matches("w\\d+-\\d+");
              assertThat(r.sourceId())
                  .isEqualTo("osm:way/" + r.id().substring(1, r.id().indexOf('-')));
              assertThat(r.lengthM()).isPositive();
            });
    // Footways and service roads are not motor roads; residential and secondary streets are.
    assertThat(roads)
        .extracting(RoadSegment::roadClass)
        .contains(RoadClass.LOCAL, RoadClass.SECONDARY);
    assertThat(report.skipped()).containsKey("ways of highway=footway (not a motor road)");
    // A way is cut where another road meets it: no segment passes through a node another road uses.
    assertThat(roads.stream().map(RoadSegment::sourceId).distinct().count())
        .isLessThan(roads.size());
    assertThat(city.city().buildings())
        .hasSizeGreaterThanOrEqualTo(20)
        .allSatisfy(b -> assertThat(b.id()).matches("b-w\\d+"));
    assertThat(city.city().facilities()).isEmpty();
    assertThat(report.counts()).containsEntry("roads", roads.size()).containsEntry("facilities", 0);
    assertThat(lines).anyMatch(l -> l.matches("\\s+roads\\s+\\d+"));
    assertThat(lines)
        .anyMatch(l -> l.contains("communities") && l.contains("generated inside the districts"));

    // The index answers about the real streets: the middle of a segment matches that segment.
    RoadSegment r = roads.get(roads.size() / 2);
    var a = r.geometry().getCoordinateN(0);
    var b = r.geometry().getCoordinateN(1);
    double heading = io.citybrain.geo.Metric.bearingDeg(a.x, a.y, b.x, b.y);
    assertThat(city.city().index().matchRoad((a.x + b.x) / 2, (a.y + b.y) / 2, heading))
        .map(m -> m.segment().id())
        .contains(r.id());
    Building first = city.city().buildings().get(0);
    var inside = first.footprint().getInteriorPoint();
    assertThat(city.city().index().buildingAt(inside.getX(), inside.getY()))
        .map(Building::id)
        .contains(first.id());
  }

  @Test
  void theSameExtractAsPbfGivesTheSameCity() throws IOException {
    Path pbf = tmp.resolve("West-Oakland.osm.pbf");
    Path xml = tmp.resolve("West-Oakland.osm");
    try (var in = new BZip2CompressorInputStream(Files.newInputStream(OAKLAND))) {
      Files.copy(in, xml);
    }
    XmlReader reader = new XmlReader(xml.toFile(), false, CompressionMethod.None);
    try (OutputStream os = Files.newOutputStream(pbf)) {
      OsmosisSerializer writer = new OsmosisSerializer(new BlockOutputStream(os));
      reader.setSink(writer);
      reader.run();
    }

    OsmImport.run(options(OAKLAND, tmp.resolve("from-xml")), l -> {});
    OsmImport.run(options(pbf, tmp.resolve("from-pbf")), l -> {});

    for (String layer : List.of("roads.geojson", "buildings.geojson", "districts.geojson")) {
      assertThat(Files.readString(tmp.resolve("from-pbf").resolve(layer)))
          .as(layer)
          .isEqualTo(Files.readString(tmp.resolve("from-xml").resolve(layer)));
    }
  }

  @Test
  void districtsFromAFileSplitTheRoadsAndARoadOutsideThemIsRefusedNamingTheWay()
      throws IOException {
    // West Oakland's bounds are -122.30258..-122.29825 x 37.80615..37.80914; two districts side by
    // side.
    Path districts = tmp.resolve("districts.geojson");
    Files.writeString(
        districts,
        """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"west","name":"West half"},"geometry":{"type":"Polygon","coordinates":[[[-122.32,37.79],[-122.3004,37.79],[-122.3004,37.83],[-122.32,37.83],[-122.32,37.79]]]}},
        {"type":"Feature","properties":{"code":"east","name":"East half"},"geometry":{"type":"Polygon","coordinates":[[[-122.3004,37.79],[-122.28,37.79],[-122.28,37.83],[-122.3004,37.83],[-122.3004,37.79]]]}}
        ]}""");
    Path out = tmp.resolve("two");
    OsmImport.run(
        new OsmImport.Options(
            OAKLAND,
            out,
            districts,
            null,
            null,
            "West Oakland",
            "西奥克兰",
            "America/Los_Angeles",
            false,
            42),
        l -> {});
    CityPackage city = CityPackage.read(out);
    assertThat(city.manifest().name()).containsEntry("zh", "西奥克兰");
    assertThat(city.city().roads()).extracting(RoadSegment::districtCode).contains("west", "east");
    assertThat(city.city().communities())
        .extracting(c -> c.districtCode())
        .contains("west", "east");

    Path small = tmp.resolve("small.geojson");
    Files.writeString(
        small,
        """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"west","name":"West half"},"geometry":{"type":"Polygon","coordinates":[[[-122.32,37.79],[-122.3004,37.79],[-122.3004,37.83],[-122.32,37.83],[-122.32,37.79]]]}}
        ]}""");
    Path refused = tmp.resolve("refused");
    assertThatThrownBy(
            () ->
                OsmImport.run(
                    new OsmImport.Options(
                        OAKLAND,
                        refused,
                        small,
                        null,
                        null,
                        "West Oakland",
                        null,
                        "America/Los_Angeles",
                        false,
                        42),
                    l -> {}))
        .hasMessageContaining(OAKLAND.toString())
        .hasMessageMatching("(?s).*way \\d+ .*lies outside every district of .*small.geojson.*")
        .hasMessageContaining("--skip-outside");
    assertThat(refused).doesNotExist();

    OsmImport.Report skipping =
        OsmImport.run(
            new OsmImport.Options(
                OAKLAND,
                refused,
                small,
                null,
                null,
                "West Oakland",
                null,
                "America/Los_Angeles",
                true,
                42),
            l -> {});
    assertThat(skipping.skipped())
        .containsKey("road segments outside every district (--skip-outside)");
    assertThat(CityPackage.read(refused).city().roads())
        .isNotEmpty()
        .allMatch(r -> r.districtCode().equals("west"));
  }

  @Test
  void aTruncatedExtractOrAnUnknownTimeZoneIsRefusedAndNothingIsWritten() throws IOException {
    byte[] whole = Files.readAllBytes(GERMAN);
    Path truncated = tmp.resolve("cut.osm");
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> OsmImport.run(options(truncated, out), l -> {}))
        .hasMessageContaining(truncated.toString())
        .hasMessageContaining("cannot be read as OpenStreetMap data");
    assertThatThrownBy(
            () ->
                OsmImport.run(
                    new OsmImport.Options(
                        GERMAN, out, null, null, null, "Dorf", null, "Europe/Atlantis", false, 1),
                    l -> {}))
        .hasMessageContaining("--time-zone 'Europe/Atlantis' is not a known time zone");
    assertThatThrownBy(() -> OsmImport.run(options(tmp.resolve("missing.osm"), out), l -> {}))
        .hasMessageContaining("is not a readable file");
    assertThatThrownBy(() -> OsmImport.run(options(tmp.resolve("roads.csv"), out), l -> {}))
        .hasMessageContaining("is not a readable file");
    assertThat(out).doesNotExist();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("cut.osm");
    }
  }

  @Test
  void aGermanVillageWithoutTimeZoneIsUtcAndSaysSo() throws IOException {
    List<String> lines = new ArrayList<>();
    OsmImport.run(
        new OsmImport.Options(
            GERMAN, tmp.resolve("dorf"), null, null, null, null, null, null, false, 1),
        lines::add);
    CityPackage city = CityPackage.read(tmp.resolve("dorf"));
    assertThat(city.manifest().timeZone()).isEqualTo("UTC");
    assertThat(city.manifest().id()).isEqualTo("planet_10");
    assertThat(lines).anyMatch(l -> l.contains("time zone UTC: no --time-zone given"));
    assertThat(city.city().buildings()).hasSizeGreaterThanOrEqualTo(30);
    assertThat(city.city().roads()).isNotEmpty().allMatch(r -> r.roadClass() == RoadClass.LOCAL);
  }

  @Test
  void tagsAreReadTheWayOpenStreetMapMeansThem() {
    assertThat(OsmImport.freeFlowKmh("30 mph", RoadClass.LOCAL))
        .isCloseTo(48.28, org.assertj.core.data.Offset.offset(0.01));
    assertThat(OsmImport.freeFlowKmh("50", RoadClass.LOCAL)).isEqualTo(50);
    assertThat(OsmImport.freeFlowKmh("70;50", RoadClass.LOCAL)).isEqualTo(70);
    assertThat(OsmImport.freeFlowKmh("none", RoadClass.EXPRESSWAY)).isEqualTo(80);
    assertThat(OsmImport.freeFlowKmh("DE:urban", RoadClass.SECONDARY)).isEqualTo(50);
    assertThat(OsmImport.oneway(Map.of("oneway", "-1"))).isEqualTo(-1);
    assertThat(OsmImport.oneway(Map.of("highway", "motorway"))).isEqualTo(1);
    assertThat(OsmImport.oneway(Map.of("highway", "primary", "junction", "roundabout")))
        .isEqualTo(1);
    assertThat(OsmImport.oneway(Map.of("highway", "motorway", "oneway", "no"))).isZero();
    assertThat(OsmImport.closedToMotorTraffic(Map.of("motor_vehicle", "no"))).isTrue();
    assertThat(OsmImport.lanes("2")).isEqualTo(2);
    assertThat(OsmImport.lanes("2;3")).isZero();
  }
}
