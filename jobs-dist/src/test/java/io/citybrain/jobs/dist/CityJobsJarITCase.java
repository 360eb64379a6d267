package io.citybrain.jobs.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the jar that {@code package} built, the way {@code flink run} and application mode do:
 * {@link PackagedProgram} takes the entry point from the manifest and runs {@code main} in Flink's
 * child-first user-code class loader, capturing the job graph instead of executing it.
 */
class CityJobsJarITCase {

  static final File JAR =
      new File(System.getProperty("citybrain.jobs.jar", "target/citybrain-jobs.jar"));
  static List<String> entries;

  @BeforeAll
  static void readJar() throws IOException {
    // Meaningful only where the job classes are not on the test class path (failsafe's default
    // execution in this module's pom); -Dit.test also hands it to the other execution.
    assumeFalse(
        onClassPath("io.citybrain.jobs.traffic.TrafficJob"),
        "the job classes are on the class path");
    assertThat(JAR).as("the shaded jar built by package; run through failsafe (verify)").isFile();
    try (JarFile jar = new JarFile(JAR)) {
      entries = Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
    }
  }

  static boolean onClassPath(String name) {
    try {
      Class.forName(name, false, CityJobsJarITCase.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Test
  void theManifestNamesTheEntryPoint() throws IOException {
    try (JarFile jar = new JarFile(JAR)) {
      assertThat(jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS))
          .isEqualTo(CityJobs.class.getName());
    }
  }

  @Test
  void flinkItselfIsNotInsideOnlyTheKafkaConnector() {
    List<String> flink =
        entries.stream()
            .filter(e -> e.startsWith("org/apache/flink/") && e.endsWith(".class"))
            .toList();
    // What flink-connector-kafka itself ships (it keeps a few classes under its old packages).
    assertThat(flink)
        .isNotEmpty()
        .allMatch(
            e ->
                e.startsWith("org/apache/flink/connector/kafka/")
                    || e.startsWith("org/apache/flink/streaming/connectors/kafka/")
                    || e.equals(
                        "org/apache/flink/streaming/util/serialization/JSONKeyValueDeserializationSchema.class"),
            "a Kafka connector class");
    assertThat(entries)
        .noneMatch(
            e ->
                e.startsWith("org/apache/flink/runtime/")
                    || e.startsWith("org/apache/flink/streaming/api/")
                    || e.startsWith("org/apache/flink/api/")
                    || e.startsWith("org/apache/flink/connector/base/")
                    || e.startsWith("org/apache/flink/core/")
                    || e.startsWith("org/apache/flink/configuration/")
                    || e.startsWith("org/apache/flink/shaded/")
                    || e.startsWith("org/slf4j/")
                    || e.startsWith("org/apache/logging/log4j/"));
  }

  @Test
  void ourCodeAndItsLibrariesAreInsideWithJacksonRelocated() {
    assertThat(entries)
        .contains(
            "io/citybrain/jobs/dist/CityJobs.class",
            "io/citybrain/jobs/traffic/TrafficJob.class",
            "io/citybrain/connectors/influx/InfluxSink.class",
            "io/citybrain/geo/CityModel.class",
            "org/locationtech/jts/geom/Geometry.class",
            "com/influxdb/client/InfluxDBClient.class",
            "org/apache/kafka/clients/producer/KafkaProducer.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class",
            "io/citybrain/shaded/com/fasterxml/jackson/databind/ObjectMapper.class");
    assertThat(entries).noneMatch(e -> e.startsWith("com/fasterxml/jackson/"));
  }

  @Test
  void eachJobsGraphIsBuiltFromTheJarsMain() throws Exception {
    for (String job : List.of("traffic", "utility", "emergency")) {
      PackagedProgram program = program("--job", job);
      assertThat(program.getMainClassName()).isEqualTo(CityJobs.class.getName());
      Class<?> loaded = program.getUserCodeClassLoader().loadClass(CityJobs.class.getName());
      assertThat(loaded.getProtectionDomain().getCodeSource().getLocation().getPath())
          .endsWith("citybrain-jobs.jar");

      JobGraph graph = PackagedProgramUtils.createJobGraph(program, new Configuration(), 2, false);

      assertThat(graph.getName()).isEqualTo("citybrain-" + job);
      List<String> vertices = new ArrayList<>();
      for (JobVertex v : graph.getVertices()) {
        vertices.add(v.getName());
      }
      assertThat(String.join("\n", vertices)).contains("dead letters");
      assertThat(
              graph
                  .getCheckpointingSettings()
                  .getCheckpointCoordinatorConfiguration()
                  .getCheckpointInterval())
          .isEqualTo(10_000L);
      program.close();
    }
  }

  @Test
  void aBadArgumentStopsTheSubmissionNamingTheKey() throws Exception {
    PackagedProgram program = program("--job", "traffic", "--watermark.idleness", "-3");
    assertThatThrownBy(
            () -> PackagedProgramUtils.createJobGraph(program, new Configuration(), 2, false))
        .satisfies(
            e ->
                assertThat(ExceptionUtils.stringifyException(e))
                    .contains("watermark.idleness must be a positive duration"));
    program.close();
  }

  /**
   * The registry is read by the jar's main, in Flink's user-code class loader, with the jar's
   * relocated CSV reader.
   */
  @Test
  void theTrafficJobReadsItsRegistryInsideTheJar(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("devices.csv");
    Files.writeString(
        csv,
        "id,domain,kind,lat,lon,district,segment,building,zone,community\n"
            + "loop-000001,traffic,loop,30.2741,120.1551,330106,r-000001,,,\n");
    PackagedProgram program = program("--job", "traffic", "--registry.path", csv.toString());
    assertThat(
            PackagedProgramUtils.createJobGraph(program, new Configuration(), 2, false).getName())
        .isEqualTo("citybrain-traffic");
    program.close();

    PackagedProgram missing =
        program("--job", "traffic", "--registry.path", dir.resolve("none.csv").toString());
    assertThatThrownBy(
            () -> PackagedProgramUtils.createJobGraph(missing, new Configuration(), 2, false))
        .satisfies(
            e ->
                assertThat(ExceptionUtils.stringifyException(e))
                    .contains("registry.path is not a readable file"));
    missing.close();
  }

  /**
   * The same package a city runs locally runs on the cluster: the jar's main reads it (Flink's file
   * systems, the jar's relocated Jackson) when the job graph is built, and refuses a wrong one.
   */
  @Test
  void eachJobReadsACityPackageInsideTheJar(@TempDir Path dir) throws Exception {
    Path city = dir.resolve("tiny");
    Files.createDirectories(city);
    String square =
        "[[[-122.31,37.80],[-122.29,37.80],[-122.29,37.82],[-122.31,37.82],[-122.31,37.80]]]";
    Files.writeString(
        city.resolve("city.json"),
        "{\"format\":1,\"id\":\"tiny\",\"name\":{\"en\":\"Tiny\"},"
            + "\"timeZone\":\"America/Los_Angeles\",\"view\":{\"lon\":-122.3,\"lat\":37.81,\"zoom\":14},"
            + "\"districtCodes\":{\"scheme\":\"test\",\"pattern\":\"d1\"},\"layers\":{"
            + String.join(
                ",",
                List.of("districts", "communities", "roads", "buildings", "zones", "facilities")
                    .stream()
                    .map(
                        l ->
                            "\""
                                + l
                                + "\":{\"file\":\""
                                + l
                                + ".geojson\",\"source\":\"test\",\"licence\":\"test\"}")
                    .toList())
            + "}}");
    Files.writeString(
        city.resolve("districts.geojson"),
        collection("{\"code\":\"d1\",\"name\":\"One\"}", "Polygon", square));
    Files.writeString(
        city.resolve("communities.geojson"),
        collection("{\"id\":\"c1\",\"district\":\"d1\",\"name\":\"C\"}", "Polygon", square));
    Files.writeString(
        city.resolve("zones.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":["
            + String.join(
                ",",
                List.of("water", "power", "gas").stream()
                    .map(
                        u ->
                            feature(
                                "{\"id\":\""
                                    + u
                                    + "-1\",\"utility\":\""
                                    + u
                                    + "\",\"district\":\"d1\"}",
                                "Polygon",
                                square))
                    .toList())
            + "]}");
    Files.writeString(
        city.resolve("roads.geojson"),
        collection(
            "{\"id\":\"w1-1\",\"roadClass\":\"local\",\"oneway\":false," + "\"district\":\"d1\"}",
            "LineString",
            "[[-122.30,37.805],[-122.30,37.815]]"));
    Files.writeString(
        city.resolve("buildings.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    Files.writeString(
        city.resolve("facilities.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}");
    for (String job : List.of("traffic", "utility", "emergency")) {
      PackagedProgram program = program("--job", job, "--city.package", city.toUri().toString());
      assertThat(
              PackagedProgramUtils.createJobGraph(program, new Configuration(), 2, false).getName())
          .isEqualTo("citybrain-" + job);
      program.close();
    }
    PackagedProgram wrong =
        program("--job", "utility", "--city.package", dir.resolve("nowhere").toUri().toString());
    assertThatThrownBy(
            () -> PackagedProgramUtils.createJobGraph(wrong, new Configuration(), 2, false))
        .satisfies(
            e ->
                assertThat(ExceptionUtils.stringifyException(e))
                    .contains("city.package")
                    .contains("is not a city package"));
    wrong.close();
  }

  private static String collection(String properties, String type, String coordinates) {
    return "{\"type\":\"FeatureCollection\",\"features\":["
        + feature(properties, type, coordinates)
        + "]}";
  }

  private static String feature(String properties, String type, String coordinates) {
    return "{\"type\":\"Feature\",\"properties\":"
        + properties
        + ",\"geometry\":{\"type\":\""
        + type
        + "\",\"coordinates\":"
        + coordinates
        + "}}";
  }

  private static PackagedProgram program(String... jobArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of(CityJobsTest.COMMON));
    args.addAll(List.of(jobArgs));
    return PackagedProgram.newBuilder()
        .setJarFile(JAR)
        .setArguments(args.toArray(String[]::new))
        .build();
  }
}
