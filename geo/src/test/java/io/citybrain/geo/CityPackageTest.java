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

  @TempDir
  Path tmp;

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
      assertThat(new String(after.get(file), StandardCharsets.UTF_8)).as(file)
          .isEqualTo(new String(before.get(file), StandardCharsets.UTF_8));
    }
    RoadSegment r = hangzhou.city().roads().get(100);
    double[] mid = {r.geometry().getCentroid().getX(), r.geometry().getCentroid().getY()};
    assertThat(read.city().index().locate(mid[0], mid[1])).isEqualTo(hangzhou.city().index().locate(mid[0], mid[1]));
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
    assertThatThrownBy(() -> CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(someonesFiles))
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
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining(manifest.toString())
        .hasMessageContaining("timeZone 'Asia/Atlantis' is not a known time zone");

    Files.writeString(manifest, good.replace("\"roads.geojson\"", "\"../roads.geojson\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("layers.roads.file '../roads.geojson'");

    Files.writeString(manifest, good.replace("\"en\" : \"Hangzhou\"", "\"fr\" : \"Hangzhou\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("name.en is missing");

    Files.writeString(manifest, good.replace("\"format\" : 1", "\"format\" : 2"));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("format 2 is not supported");

    Files.writeString(manifest, good);
    Files.delete(dir.resolve("zones.geojson"));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("zones.geojson for its zones, and there is no such file");
  }

  @Test
  void badFeaturesAreRefusedNamingTheFileAndTheFeature() throws IOException {
    Path dir = tmp.resolve("city");
    CityPackage.generatedHangzhou(CityModel.DEFAULT_SEED).write(dir);
    Path roads = dir.resolve("roads.geojson");
    String good = Files.readString(roads);
    String firstId = CityModel.hangzhou().roads().get(0).id();
    String firstDistrict = CityModel.hangzhou().roads().get(0).districtCode();

    Files.writeString(roads, good.replaceFirst("\"district\":\"" + firstDistrict + "\"", "\"district\":\"999999\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining(roads + " feature #0 '" + firstId + "'")
        .hasMessageContaining("names district '999999', which is not a district of the package");

    Files.writeString(roads, good.replaceFirst("\"id\":\"" + firstId + "\"", "\"id\":\"<script>\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("feature #0 '<script>'").hasMessageContaining("an id is");

    Files.writeString(roads, good.replaceFirst("\"roadClass\":\"[a-z]+\"", "\"roadClass\":\"runway\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("feature #0").hasMessageContaining("unknown road class 'runway'");

    Files.writeString(roads, good);
    Path districts = dir.resolve("districts.geojson");
    Files.writeString(districts, Files.readString(districts).replaceFirst("\"code\":\"330102\"", "\"code\":\"3301\""));
    assertThatThrownBy(() -> CityPackage.read(dir)).hasMessageContaining("district '3301' does not match the manifest's code pattern");
  }

  @Test
  void aManifestRoundTripsThroughJson() {
    CityManifest m = CityPackage.generatedHangzhou(7).manifest();
    assertThat(CityManifest.read(m.toJson(), "m")).isEqualTo(m);
    assertThat(m.generated().layers()).isEqualTo(List.of("communities", "roads", "buildings", "zones", "facilities"));
    assertThatThrownBy(() -> CityManifest.read("{\"format\":1,\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8), "x.json"))
        .hasMessageContaining("x.json is not a city manifest").hasMessageContaining("colour");
  }
}
