package io.citybrain.deploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Keeps the direction of module dependencies of ARCHITECTURE.md: contract and users (at the bottom,
 * for all); geo ← connectors ← jobs; simulators on geo and connectors; the console on geo and
 * connectors; deploy on top; embedded (the in-process servers) used only by deploy. Runs here
 * because deploy sees every module's classes.
 */
class ModuleDependenciesTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.citybrain");

  /**
   * Issue 20: one users file for the brokers, the bridge, the jobs and the console, so it stands on
   * nothing.
   */
  @Test
  void usersDependOnNothingOfOursNorAnyLibrary() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.users..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.citybrain.users..", "java..", "javax.crypto..")
        .check(CLASSES);
  }

  /**
   * Issue 19: contract v1 (topics, readings, alerts, acknowledgements, dead letters, measurements)
   * under everything, the embedded store included, so it stands on the JDK and Jackson alone.
   */
  @Test
  void theContractDependsOnNothingOfOursNorAnyLibraryButJackson() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.contract..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.citybrain.contract..", "java..", "com.fasterxml.jackson..")
        .check(CLASSES);
  }

  @Test
  void geoDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.geo..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.connectors..",
            "io.citybrain.jobs..",
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "io.citybrain.console..",
            "io.citybrain.osm..")
        .check(CLASSES);
  }

  @Test
  void theOsmImporterDependsOnlyOnGeo() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.osm..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.connectors..",
            "io.citybrain.jobs..",
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "io.citybrain.console..")
        .check(CLASSES);
  }

  @Test
  void onlyTheCommandLineUsesTheOsmImporterSoNoJobJarCarriesOsmosis() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.citybrain.osm..", "io.citybrain.deploy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.citybrain.osm..", "org.openstreetmap..", "crosby..")
        .check(CLASSES);
  }

  @Test
  void geoKnowsNothingOfFlinkKafkaOrMqtt() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.geo..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..", "org.apache.kafka..", "org.eclipse.paho..", "com.influxdb..")
        .check(CLASSES);
  }

  /**
   * Issue 23: what takes messages from the broker or delivers alerts runs on the HiveMQ client;
   * Paho (no release since 2020, decodes in its receiver thread) stays where it is harmless, the
   * simulators, and in tests.
   */
  @Test
  void onlyTheSimulatorsUsePaho() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.citybrain.simulators..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.eclipse.paho..")
        .check(CLASSES);
  }

  @Test
  void connectorsDependOnlyOnGeo() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.connectors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.jobs..",
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "io.citybrain.console..")
        .check(CLASSES);
  }

  @Test
  void jobsDoNotDependOnSimulatorsDeployOrEmbeddedServers() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "io.citybrain.console..")
        .check(CLASSES);
  }

  @Test
  void simulatorsDoNotDependOnJobsOrDeploy() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.simulators..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.jobs..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "io.citybrain.console..")
        .check(CLASSES);
  }

  @Test
  void embeddedServersDependOnNothingOfOursButTheUsersFile() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.embedded..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.geo..",
            "io.citybrain.connectors..",
            "io.citybrain.jobs..",
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.console..")
        .check(CLASSES);
  }

  /**
   * The console reads the store, Kafka and MQTT like any outside client: no jobs, no Flink, no
   * embedded servers.
   */
  @Test
  void consoleDependsOnlyOnGeoAndConnectors() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.console..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.jobs..",
            "io.citybrain.simulators..",
            "io.citybrain.deploy..",
            "io.citybrain.embedded..",
            "org.apache.flink..")
        .check(CLASSES);
  }

  /**
   * Issue 19: each job is assembled in one place, its {@code assemble}, which its {@code main}, the
   * job jar and the local city all call; building a job's operators anywhere else in production
   * code would let one deployment run a different job from the others. (Tests and benchmarks build
   * jobs on their own sources and sinks.)
   */
  @Test
  void eachJobIsBuiltOnlyByItsOwnAssembly() {
    for (Class<?> job :
        java.util.List.of(
            io.citybrain.jobs.traffic.TrafficJob.class,
            io.citybrain.jobs.utility.UtilityJob.class,
            io.citybrain.jobs.emergency.EmergencyJob.class)) {
      noClasses()
          .that()
          .doNotBelongToAnyOf(job)
          .should()
          .callMethod(job, "build", StreamExecutionEnvironment.class)
          .check(CLASSES);
    }
  }

  /**
   * Issue 19: a newcomer finds what a module and a package are for before reading their classes.
   */
  @Test
  void everyModuleHasAReadmeAndEveryPackageAPackageInfo() throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Path.of("..");
    String pom = java.nio.file.Files.readString(root.resolve("pom.xml"));
    java.util.regex.Matcher module =
        java.util.regex.Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    java.util.List<String> missing = new java.util.ArrayList<>();
    while (module.find()) {
      java.nio.file.Path dir = root.resolve(module.group(1));
      if (!java.nio.file.Files.isRegularFile(dir.resolve("README.md"))) {
        missing.add(dir.resolve("README.md").toString());
      }
      java.nio.file.Path main = dir.resolve("src/main/java");
      if (java.nio.file.Files.isDirectory(main)) {
        try (var walk = java.nio.file.Files.walk(main)) {
          walk.filter(p -> p.toString().endsWith(".java"))
              .map(java.nio.file.Path::getParent)
              .distinct()
              .filter(d -> !java.nio.file.Files.exists(d.resolve("package-info.java")))
              .forEach(d -> missing.add(d.resolve("package-info.java").toString()));
        }
      }
    }
    org.assertj.core.api.Assertions.assertThat(missing).as("missing").isEmpty();
  }
}
