package io.citybrain.jobs.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CityJobsTest {

  static final String[] COMMON = {
    "--kafka.bootstrap-servers", "kafka-0:9092,kafka-1:9092", "--influx.url",
        "http://influxdb:8086",
    "--influx.token", "t0k3n", "--parallelism", "2"
  };

  static String[] args(String... extra) {
    String[] all = new String[COMMON.length + extra.length];
    System.arraycopy(COMMON, 0, all, 0, COMMON.length);
    System.arraycopy(extra, 0, all, COMMON.length, extra.length);
    return all;
  }

  /**
   * Operator uids are what a savepoint is matched by: changing one makes the next build drop (or
   * refuse) that operator's state. The committed lists make any change a deliberate one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"traffic", "utility", "emergency"})
  void everyOperatorOfEachJobHasItsCommittedUid(String job) throws IOException {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    CityJobs.Job planned = CityJobs.plan(env, args("--job", job), Map.of());

    assertThat(planned.flinkName()).isEqualTo("citybrain-" + job);
    assertThat(env.getParallelism()).isEqualTo(2);
    List<String> uids =
        env.getStreamGraph().getStreamNodes().stream()
            .map(StreamNode::getTransformationUID)
            .sorted()
            .toList();
    assertThat(uids).doesNotContainNull().containsExactlyElementsOf(committedUids(job));
  }

  private static List<String> committedUids(String job) throws IOException {
    try (InputStream in = CityJobsTest.class.getResourceAsStream("/uids/" + job + ".txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .sorted()
          .toList();
    }
  }

  @Test
  void aJobOutsideTheThreeIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(),
                    args("--job", "trams"),
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job must be one of traffic, utility, emergency, got 'trams'");
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(), COMMON, Map.of()))
        .hasMessageContaining("--job must be set");
  }

  @Test
  void aBadValueStopsThePlanNamingItsKey() {
    assertThatThrownBy(() -> plan("--job", "traffic", "--checkpoint.interval", "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint.interval");
    assertThatThrownBy(() -> plan("--job", "utility", "--utility.burst-drop", "2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("utility.burst-drop");
    assertThatThrownBy(() -> plan("--job", "emergency", "--influx.url", "influxdb:8086"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("influx.url");
    assertThatThrownBy(() -> plan("--job", "traffic", "--city.seed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--city.seed needs a value");
  }

  @Test
  void aCityPackageIsReadAtSubmissionAndABadOneStopsItNamingTheKey(@TempDir Path dir)
      throws IOException {
    Path pkg = dir.resolve("city");
    io.citybrain.geo.CityPackage.generatedHangzhou(42).write(pkg);
    assertThat(
            CityJobs.plan(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                args("--job", "utility", "--city.package", pkg.toUri().toString()),
                Map.of()))
        .isEqualTo(CityJobs.Job.UTILITY);
    assertThatThrownBy(
            () -> plan("--job", "traffic", "--city.package", dir.resolve("nowhere").toString()))
        .hasMessageContaining("city.package")
        .hasMessageContaining("is not a city package");
    java.nio.file.Files.writeString(
        pkg.resolve("city.json"),
        java.nio.file.Files.readString(pkg.resolve("city.json"))
            .replace("Asia/Shanghai", "Mars/Olympus"));
    assertThatThrownBy(() -> plan("--job", "emergency", "--city.package", pkg.toString() + "/"))
        .hasMessageContaining("city.package")
        .hasMessageContaining("timeZone 'Mars/Olympus'");
  }

  private static void plan(String... extra) {
    CityJobs.plan(StreamExecutionEnvironment.getExecutionEnvironment(), args(extra), Map.of());
  }

  /**
   * The registry names the loop detectors' segments; read at submission, so a bad path stops it.
   */
  @Test
  void theTrafficJobReadsTheDeviceRegistryOfRegistryPath(@TempDir Path dir) {
    Path csv = dir.resolve("devices.csv");
    RoadSegment road = CityModel.generate(42).roads().get(0);
    DeviceRegistry.write(
        csv,
        List.of(
            new RegisteredDevice(
                "loop-000001",
                "traffic",
                "loop",
                road.geometry().getCoordinateN(0).y,
                road.geometry().getCoordinateN(0).x,
                road.districtCode(),
                road.id(),
                null,
                null,
                null)));

    assertThat(
            CityJobs.plan(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                args("--job", "traffic", "--registry.path", csv.toString()),
                Map.of()))
        .isEqualTo(CityJobs.Job.TRAFFIC);
    assertThatThrownBy(
            () ->
                plan("--job", "traffic", "--registry.path", dir.resolve("missing.csv").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("registry.path is not a readable file");
    Configuration c = new Configuration();
    c.setString("citybrain.registry.path", dir.resolve("missing.csv").toString());
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(c),
                    args("--job", "traffic"),
                    Map.of()))
        .hasMessageStartingWith("registry.path is not a readable file");
  }

  @Test
  void withoutKafkaTheSubmissionStopsNamingTheKey() {
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(),
                    new String[] {
                      "--job",
                      "traffic",
                      "--influx.url",
                      "http://influxdb:8086",
                      "--influx.token",
                      "t"
                    },
                    Map.of()))
        .hasMessageContaining("kafka.bootstrap-servers must be set");
  }

  @Test
  void settingsComeFromTheFlinkConfigurationAndArgumentsWin() {
    Map<String, String> s =
        CityJobs.effectiveSettings(
            Map.of(
                "citybrain.kafka.bootstrap-servers",
                "from-config:9092",
                "citybrain.city.seed",
                "7",
                "parallelism.default",
                "4",
                "execution.checkpointing.interval",
                "30 s"),
            new String[] {"--job", "utility", "--city.seed", "42"},
            Map.of(),
            4);

    assertThat(s)
        .containsEntry("kafka.bootstrap-servers", "from-config:9092")
        .containsEntry("city.seed", "42")
        .containsEntry("job", "utility")
        .containsEntry("parallelism", "4")
        .doesNotContainKey("execution.checkpointing.interval")
        .doesNotContainKey("influx.token");
  }

  @Test
  void theTokenComesFromTheEnvironmentOnlyWhenNothingElseGivesIt() {
    Map<String, String> env = Map.of(CityJobs.TOKEN_ENV, "from-secret");
    assertThat(CityJobs.effectiveSettings(Map.of(), new String[] {"--job", "traffic"}, env, 1))
        .containsEntry("influx.token", "from-secret");
    assertThat(CityJobs.effectiveSettings(Map.of(), new String[] {"--influx.token", "arg"}, env, 1))
        .containsEntry("influx.token", "arg");
  }

  @Test
  void aPlanFromTheFlinkConfigurationAlone() {
    Configuration c =
        configuration(
            "citybrain.job",
            "emergency",
            "citybrain.kafka.bootstrap-servers",
            "kafka:9092",
            "citybrain.influx.url",
            "https://influx.example:8086",
            "parallelism.default",
            "3");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);

    assertThat(CityJobs.plan(env, new String[0], Map.of(CityJobs.TOKEN_ENV, "s3cr3t")))
        .isEqualTo(CityJobs.Job.EMERGENCY);
    assertThat(env.getParallelism()).isEqualTo(3);
  }

  @Test
  void kafkaSecurityComesFromTheConfigurationAndItsPasswordFromTheEnvironmentOnly() {
    Configuration c =
        configuration(
            "citybrain.job",
            "utility",
            "citybrain.kafka.bootstrap-servers",
            "kafka:9094",
            "citybrain.influx.url",
            "http://influxdb:8086",
            "citybrain.kafka.security.protocol",
            "SASL_PLAINTEXT",
            "citybrain.kafka.sasl.mechanism",
            "SCRAM-SHA-512");
    Map<String, String> env =
        Map.of(
            CityJobs.TOKEN_ENV,
            "t",
            "CITYBRAIN_KAFKA_SASL_USERNAME",
            "jobs",
            "CITYBRAIN_KAFKA_SASL_PASSWORD",
            "from-the-secret");

    assertThat(
            CityJobs.plan(
                StreamExecutionEnvironment.getExecutionEnvironment(c), new String[0], env))
        .isEqualTo(CityJobs.Job.UTILITY);
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(c),
                    new String[0],
                    Map.of(CityJobs.TOKEN_ENV, "t", "CITYBRAIN_KAFKA_SASL_USERNAME", "jobs")))
        .hasMessageContaining("CITYBRAIN_KAFKA_SASL_PASSWORD");
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(c),
                    new String[] {"--kafka.sasl.password", "on-the-command-line"},
                    env))
        .hasMessageStartingWith("kafka.sasl.password must not be given as a setting");
  }

  private static Configuration configuration(String... keyValues) {
    Configuration c = new Configuration();
    for (int i = 0; i < keyValues.length; i += 2) {
      c.setString(keyValues[i], keyValues[i + 1]);
    }
    return c;
  }
}
