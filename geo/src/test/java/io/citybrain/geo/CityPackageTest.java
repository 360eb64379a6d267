package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CityPackageTest {

  @TempDir Path tmp;

  @Test
  void theGeneratedCityReadsBackAsTheSameCity() throws IOException {
    CityPackage hangzhou = CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED);
    Path dir = tmp.resolve("hangzhou");
    hangzhou.write(dir);

    CityPackage read = CityPackage.read(dir);

    assertThat(read.manifest()).isEqualTo(hangzhou.manifest());
    assertThat(read.manifest().zone().getId()).isEqualTo("Asia/Shanghai");
    Map<String, byte[]> before = CityGeoJson.export(hangzhou.city());
    Map<String, byte[]> after = CityGeoJson.export(read.city());
    for (String file : CityGeoJson.FILES) {
      assertThat(new String(after.get(file), StandardCharsets.UTF_8))
          .as(file)
          .isEqualTo(new String(before.get(file), StandardCharsets.UTF_8));
    }
    RoadSegment r = hangzhou.city().roads().get(100);
    double[] mid = {r.geometry().getCentroid().getX(), r.geometry().getCentroid().getY()};
    assertThat(read.city().index().locate(mid[0], mid[1]))
        .isEqualTo(hangzhou.city().index().locate(mid[0], mid[1]));
  }

  @Test
  void anEarlierPackageIsReplacedWholeAndNothingElseIsOverwritten() throws IOException {
    Path dir = tmp.resolve("city");
    CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(dir);
    CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(dir);
    assertThat(CityPackage.read(dir).city().roads()).isNotEmpty();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("city");
    }

    Path someonesFiles = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(someonesFiles.resolve("todo.txt"), "keep me");
    assertThatThrownBy(
            () -> CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(someonesFiles))
        .hasMessageContaining("is not a city package");
    assertThat(someonesFiles.resolve("todo.txt")).hasContent("keep me");
  }

  @Test
  void aBadManifestIsRefusedNamingTheFieldAndTheFile() throws IOException {
    Path dir = tmp.resolve("city");
    CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(dir);
    Path manifest = dir.resolve("city.json");
    String good = Files.readString(manifest);

    Files.writeString(manifest, good.replace("Asia/Shanghai", "Asia/Atlantis"));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining(manifest.toString())
        .hasMessageContaining("timeZone 'Asia/Atlantis' is not a known time zone");

    Files.writeString(manifest, good.replace("\"roads.geojson\"", "\"../roads.geojson\""));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("layers.roads.file '../roads.geojson'");

    Files.writeString(manifest, good.replace("\"en\" : \"Hangzhou\"", "\"fr\" : \"Hangzhou\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("name.en is missing");

    Files.writeString(manifest, good.replace("\"format\" : 1", "\"format\" : 2"));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("format 2 is not supported");

    Files.writeString(manifest, good);
    Files.delete(dir.resolve("zones.geojson"));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("zones.geojson for its zones, and there is no such file");
  }

  @Test
  void badFeaturesAreRefusedNamingTheFileAndTheFeature() throws IOException {
    Path dir = tmp.resolve("city");
    CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(dir);
    Path roads = dir.resolve("roads.geojson");
    String good = Files.readString(roads);
    String firstId = CityModel.hangzhou().roads().get(0).id();
    String firstDistrict = CityModel.hangzhou().roads().get(0).districtCode();

    Files.writeString(
        roads,
        good.replaceFirst("\"district\":\"" + firstDistrict + "\"", "\"district\":\"999999\""));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining(roads + " feature #0 '" + firstId + "'")
        .hasMessageContaining("names district '999999', which is not a district of the package");

    Files.writeString(
        roads, good.replaceFirst("\"id\":\"" + firstId + "\"", "\"id\":\"<script>\""));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("feature #0 '<script>'")
        .hasMessageContaining("an id is");

    Files.writeString(
        roads, good.replaceFirst("\"roadClass\":\"[a-z]+\"", "\"roadClass\":\"runway\""));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("feature #0")
        .hasMessageContaining("unknown road class 'runway'");

    Files.writeString(roads, good);
    Path districts = dir.resolve("districts.geojson");
    Files.writeString(
        districts,
        Files.readString(districts).replaceFirst("\"code\":\"330102\"", "\"code\":\"3301\""));
    assertThatThrownBy(() -> CityPackage.read(dir))
        .hasMessageContaining("district '3301' does not match the manifest's code pattern");
  }

  @Test
  void anyChinesePrefectureIsACityFromItsRealDistricts() throws IOException {
    long t0 = System.nanoTime();
    CityPackage shenyang = CityPackage.generatedChinese("2101", 42);
    System.out.printf(
        "Shenyang generated in %.1f s: %d districts, %d roads, %d buildings%n",
        (System.nanoTime() - t0) / 1e9,
        shenyang.city().districts().size(),
        shenyang.city().roads().size(),
        shenyang.city().buildings().size());
    assertThat(shenyang.manifest().englishName()).isEqualTo("Shenyang");
    assertThat(shenyang.manifest().id()).isEqualTo("cn-2101");
    assertThat(shenyang.city().districts())
        .hasSizeGreaterThanOrEqualTo(9)
        .allMatch(d -> d.code().startsWith("2101"));
    assertThat(shenyang.city().districts()).extracting(District::name).contains("和平区", "沈河区");
    assertThat(shenyang.city().roads()).hasSizeGreaterThan(1000);
    assertThat(shenyang.city().communities()).isNotEmpty();
    assertThat(shenyang.city().buildings()).isNotEmpty();
    // The map opens on the old town, which lies inside the prefecture.
    var view = shenyang.manifest().view();
    assertThat(shenyang.city().index().district(view.lon(), view.lat())).isPresent();
    Path dir = tmp.resolve("shenyang");
    shenyang.write(dir);
    assertThat(CityPackage.read(dir).city().roads()).hasSameSizeAs(shenyang.city().roads());

    assertThatThrownBy(() -> CityPackage.generatedChinese("9999", 42))
        .hasMessageContaining("no prefecture 9999");
    assertThatThrownBy(() -> CityPackage.generatedChinese("21", 42))
        .hasMessageContaining("a prefecture code is four digits");
  }

  @Test
  void aManifestRoundTripsThroughJson() {
    CityManifest m = CityPackage.generatedHangzhou(7).manifest();
    assertThat(CityManifest.read(m.toJson(), "m")).isEqualTo(m);
    assertThat(m.generated().layers())
        .isEqualTo(List.of("communities", "roads", "buildings", "zones", "facilities"));
    assertThatThrownBy(
            () ->
                CityManifest.read(
                    "{\"format\":1,\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8), "x.json"))
        .hasMessageContaining("x.json is not a city manifest")
        .hasMessageContaining("colour");
  }
}
