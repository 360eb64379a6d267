package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CityCliTest {

  @Test
  void cityExportWritesEveryLayerWithItsProperties(@TempDir Path dir) throws Exception {
    int exit =
        new CommandLine(new CityCli()).execute("city", "export", dir.toString(), "--seed", "42");
    assertThat(exit).isZero();
    for (String f :
        new String[] {"districts", "communities", "roads", "buildings", "zones", "facilities"}) {
      assertThat(dir.resolve(f + ".geojson")).isNotEmptyFile();
    }
    JsonNode road =
        new ObjectMapper()
            .readTree(Files.readString(dir.resolve("roads.geojson")))
            .path("features")
            .get(0);
    assertThat(road.path("geometry").path("type").asText()).isEqualTo("LineString");
    JsonNode p = road.path("properties");
    assertThat(p.path("id").asText()).matches("r-\\d{6}");
    assertThat(p.path("roadClass").asText()).isIn("expressway", "arterial", "secondary", "local");
    assertThat(p.path("freeFlowKmh").asDouble()).isIn(80.0, 60.0, 50.0, 40.0);
    assertThat(p.path("lengthM").asDouble()).isPositive();
    assertThat(p.path("oneway").isBoolean()).isTrue();
    JsonNode zone =
        new ObjectMapper()
            .readTree(Files.readString(dir.resolve("zones.geojson")))
            .path("features")
            .get(0)
            .path("properties");
    assertThat(zone.path("utility").asText()).isIn("water", "power", "gas");
    JsonNode facility =
        new ObjectMapper()
            .readTree(Files.readString(dir.resolve("facilities.geojson")))
            .path("features")
            .get(0)
            .path("properties");
    assertThat(facility.path("kind").asText()).isIn("fire_station", "hospital");
    JsonNode manifest = new ObjectMapper().readTree(Files.readString(dir.resolve("city.json")));
    assertThat(manifest.path("timeZone").asText()).isEqualTo("Asia/Shanghai");
    assertThat(manifest.path("layers").path("districts").path("licence").asText()).contains("MIT");
  }

  @Test
  void cityImportWritesAPackageFromARealExtractAndRefusesABadOneNamingIt(@TempDir Path dir)
      throws Exception {
    Path oakland =
        Path.of("/usr/share/doc/python-osmnx-doc/examples/tests/input_data/West-Oakland.osm.bz2");
    if (!"true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          Files.exists(oakland), "python-osmnx-doc is not installed");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream savedOut = System.out;
    java.io.PrintStream savedErr = System.err;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    Path truncated = dir.resolve("cut.osm.bz2");
    Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(oakland), 4000));
    int exit;
    int refused;
    try {
      exit =
          new CommandLine(new CityCli())
              .execute(
                  "city",
                  "import",
                  "--osm",
                  oakland.toString(),
                  "--out",
                  dir.resolve("oakland").toString(),
                  "--name",
                  "West Oakland",
                  "--time-zone",
                  "America/Los_Angeles");
      refused =
          new CommandLine(new CityCli())
              .execute(
                  "city",
                  "import",
                  "--osm",
                  truncated.toString(),
                  "--out",
                  dir.resolve("cut").toString());
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    assertThat(exit).isZero();
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .containsPattern("roads\\s+\\d+")
        .containsPattern("buildings\\s+\\d+")
        .contains("wrote the city package");
    assertThat(io.citybrain.geo.CityPackage.read(dir.resolve("oakland")).city().roads())
        .isNotEmpty();
    assertThat(refused).isEqualTo(1);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("citybrain city import: refused, nothing written: " + truncated);
    assertThat(dir.resolve("cut")).doesNotExist();
  }

  @Test
  void cityPublishRefusesABadLayerNamingTheFeatureBeforeContactingKafka(@TempDir Path dir)
      throws Exception {
    Path layer = dir.resolve("communities.geojson");
    Files.writeString(
        layer,
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
            + "\"properties\":{\"id\":\"c-bowtie\",\"district\":\"330106\"},\"geometry\":{\"type\":\"Polygon\","
            + "\"coordinates\":[[[120.10,30.25],[120.11,30.26],[120.11,30.25],[120.10,30.26],[120.10,30.25]]]}}]}");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    int badLayer;
    try {
      // Port 1: nothing listens there; a publish attempt would fail differently (and only after
      // seconds).
      exit =
          new CommandLine(new CityCli())
              .execute(
                  "city",
                  "publish",
                  "--layer",
                  "communities",
                  layer.toString(),
                  "--kafka",
                  "127.0.0.1:1");
      badLayer =
          new CommandLine(new CityCli())
              .execute("city", "publish", "--layer", "trams", layer.toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(exit).isEqualTo(1);
    assertThat(badLayer).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains(
            "citybrain city publish: refused, nothing published: communities.geojson feature #0 'c-bowtie' has an invalid boundary")
        .contains(
            "citybrain city publish: --layer must be communities, zones or roads, got 'trams'");
  }

  @Test
  void cityPublishRefusesBadKafkaSecuritySettingsNamingTheKeyBeforeReadingTheLayer(
      @TempDir Path dir) {
    Path absent = dir.resolve("absent.geojson");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    java.util.List<Integer> exits = new java.util.ArrayList<>();
    try {
      for (String setting :
          java.util.List.of(
              "kafka.security.protocol=TLS",
              "kafka.sasl.password=on-the-command-line",
              "kafka.security.protocl=SSL")) {
        exits.add(
            new CommandLine(new CityCli())
                .execute(
                    "city",
                    "publish",
                    "--layer",
                    "zones",
                    absent.toString(),
                    "--kafka-setting",
                    setting));
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(exits).containsOnly(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains(
            "--kafka-setting kafka.security.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'")
        .contains("--kafka-setting kafka.sasl.password must not be given as a setting")
        .contains("CITYBRAIN_KAFKA_SASL_PASSWORD")
        .contains("--kafka-setting kafka.security.protocl is not a Kafka setting")
        .doesNotContain("on-the-command-line");
  }

  @Test
  void aBadEmergencySettingStopsTheLocalCityBeforeAnythingStartsNamingTheKey(@TempDir Path dir) {
    assertThat(
            localRefused(
                dir,
                "--emergency",
                "escalate-after=60",
                "--emergency",
                "ticket-deadline.water=soon"))
        .contains("citybrain local: emergency.ticket-deadline.water must be a number, got 'soon'");
    // A misspelt one would leave its rule at the default without a word.
    assertThat(localRefused(dir, "--emergency", "escalate-afer=60"))
        .contains(
            "citybrain local: unknown setting emergency.escalate-afer"
                + " (did you mean emergency.escalate-after?)");
    assertThat(dir).isEmptyDirectory();
  }

  /** Runs {@code local} with {@code args}, expects exit 2 and returns what it printed on stderr. */
  private static String localRefused(Path dir, String... args) {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      String[] all = new String[args.length + 3];
      all[0] = "local";
      all[1] = "--data-dir";
      all[2] = dir.toString();
      System.arraycopy(args, 0, all, 3, args.length);
      exit = new CommandLine(new CityCli()).execute(all);
    } finally {
      System.setErr(err);
    }
    assertThat(exit).isEqualTo(2);
    return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aBadMaximumReadingAgeStopsTheLocalCityBeforeAnythingStartsNamingTheKey(@TempDir Path dir) {
    assertThat(localRefused(dir, "--max-reading-age", "2h"))
        .contains(
            "citybrain local: --max-reading-age: "
                + "bridge.max-reading-age must be an ISO-8601 duration such as PT2H, or 0 for no limit, got '2h'");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void theClusterWithoutItsJobJarStopsBeforeAnyProcessStartsNamingTheJar(@TempDir Path dir) {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit =
          new CommandLine(new CityCli())
              .execute(
                  "cluster",
                  "--data-dir",
                  dir.toString(),
                  "--no-sim",
                  "--job-jar",
                  dir.resolve("missing.jar").toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("citybrain cluster: ")
        .contains("missing.jar is missing");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void aConsolePortOutOfRangeStopsTheLocalCityNamingTheFlag(@TempDir Path dir) {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      // Every other port ephemeral, so nothing else on the machine can fail the check first.
      exit =
          new CommandLine(new CityCli())
              .execute(
                  "local",
                  "--data-dir",
                  dir.toString(),
                  "--mqtt-port",
                  "0",
                  "--kafka-port",
                  "0",
                  "--store-port",
                  "0",
                  "--flink-port",
                  "0",
                  "--console-port",
                  "70000");
    } finally {
      System.setErr(saved);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("--console-port must be within 1..65535, got 70000");
  }

  /**
   * {@code ./citybrain console}: a bad key, a secret on the command line, a missing store: each
   * named, exit 2.
   */
  @Test
  void theConsoleServiceStopsOnABadSettingNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("console.properties");
    java.nio.file.Files.writeString(
        file,
        "console.store.url=http://127.0.0.1:9000\nconsole.kafka.bootstrap-servers=127.0.0.1:9092\n"
            + "console.mqtt.url=tcp://127.0.0.1:1883\n");
    assertThat(consoleError(file.toString(), "--set", "console.store.dialect=flux"))
        .contains(
            "console: bad configuration: console.store.dialect must be questdb or influxql, got 'flux'");
    assertThat(consoleError(file.toString(), "--set", "console.mqtt.user=ops"))
        .contains("console: bad configuration: unknown setting console.mqtt.user");
    assertThat(consoleError(file.toString(), "--set", "console.token=0123456789abcdef0123"))
        .contains(
            "console.token must not be given on the command line: set CITYBRAIN_CONSOLE_TOKEN instead");
    assertThat(consoleError("--set", "console.http.port=0"))
        .contains("console: bad configuration: console.store.url is required");
  }

  /**
   * Issue 20: a bad account is refused naming what is wrong, before any password is asked for;
   * nothing is written.
   */
  @Test
  void usersAddRefusesABadAccountBeforeAskingForAPassword(@TempDir Path dir) {
    Path file = dir.resolve("users.csv");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int badRole;
    int noScope;
    try {
      badRole =
          new CommandLine(new CityCli()).execute("users", "add", file.toString(), "ops-1", "admin");
      noScope =
          new CommandLine(new CityCli())
              .execute("users", "add", file.toString(), "mgr-1", "manager");
    } finally {
      System.setErr(saved);
    }
    assertThat(badRole).isEqualTo(2);
    assertThat(noScope).isEqualTo(2);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains(
            "role must be one of operator, officer, manager, device, service, got 'admin'",
            "a manager needs a scope (its community id)")
        .doesNotContain("password");
    assertThat(file).doesNotExist();
  }

  private static String consoleError(String... args) {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      String[] all = new String[args.length + 1];
      all[0] = "console";
      System.arraycopy(args, 0, all, 1, args.length);
      exit = new CommandLine(new CityCli()).execute(all);
    } finally {
      System.setErr(saved);
    }
    assertThat(exit).isEqualTo(2);
    return err.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void cityExportWithoutADirectoryFailsWithUsage() {
    assertThat(new CommandLine(new CityCli()).execute("city", "export")).isEqualTo(2);
  }
}
