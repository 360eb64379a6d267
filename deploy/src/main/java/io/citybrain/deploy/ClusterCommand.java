package io.citybrain.deploy;

import io.citybrain.deploy.cluster.ClusterCity;
import io.citybrain.simulators.BackgroundSimulation;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Scenario;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./citybrain cluster}: the city as separate processes, as it runs on real clusters. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the city as a cluster of processes on this machine: mosquitto, 3 Kafka brokers (KRaft, RF 3),",
      "QuestDB, a Flink JobManager with 2 TaskManagers, 2 bridge instances, alert dispatch, the live console;",
      "submits the job jar's jobs over REST.",
      "A process that exits is reported and started again. Every process is stopped on Ctrl-C or SIGTERM.",
      "Needs mosquitto (apt-get install -y mosquitto)."
    })
final class ClusterCommand implements Callable<Integer> {
  @Option(
      names = "--mqtt-port",
      defaultValue = "1883",
      description = "MQTT broker port (default ${DEFAULT-VALUE}, 0: any free)")
  int mqttPort;

  @Option(
      names = "--store-port",
      defaultValue = "9000",
      description = "store HTTP port (default ${DEFAULT-VALUE}, 0: any free)")
  int storePort;

  @Option(
      names = "--flink-port",
      defaultValue = "8081",
      description = "Flink web UI / REST port (default ${DEFAULT-VALUE}, 0: any free)")
  int flinkPort;

  @Option(
      names = "--console-port",
      defaultValue = "" + LocalCity.Options.DEFAULT_CONSOLE_PORT,
      description = "live console port (default ${DEFAULT-VALUE}, 0: any free)")
  int consolePort;

  @Option(
      names = "--flink-metrics",
      description =
          "the JobManager and TaskManagers serve Prometheus /metrics through "
              + "Flink's reporter, which listens on every interface (off: every other port stays on loopback)")
  boolean flinkMetrics;

  @Option(
      names = "--data-dir",
      defaultValue = ".citybrain",
      description = "data directory; the cluster uses <dir>/cluster (default ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(
      names = "--keep",
      description = "keep the data of the previous run (default: start fresh)")
  boolean keep;

  @Option(
      names = "--jobs",
      split = ",",
      defaultValue = "traffic,utility,emergency",
      description = "jobs to submit (default ${DEFAULT-VALUE})")
  List<String> jobs;

  @Option(names = "--no-sim", description = "start without simulators")
  boolean noSim;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "city and simulator seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--job-jar",
      defaultValue = "jobs-dist/target/citybrain-jobs.jar",
      description = "the job jar (default ${DEFAULT-VALUE})")
  Path jobJar;

  @Option(
      names = "--flink-classpath",
      defaultValue = "deploy/target/flink-classpath.txt",
      description = "class path file of Flink's processes (default ${DEFAULT-VALUE})")
  Path flinkClasspath;

  @Option(
      names = "--users",
      paramLabel = "FILE",
      description =
          "citybrain's users file (./citybrain users add): Mosquitto "
              + "authenticates everyone with its ACL, the bridges check acknowledgements against it, people sign in to the console "
              + "with it (default: an open city, anonymous MQTT and a console token)")
  Path users;

  @Option(
      names = "--city",
      paramLabel = "DIR|CODE",
      description =
          "a city package (`city import` writes one) or a Chinese "
              + "prefecture code such as 2101; the jobs read it as --city.package (default: the generated Hangzhou of --seed)")
  String cityArg;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    io.citybrain.geo.CityPackage city;
    Path cityPackage;
    try {
      cityPackage = CityCli.cityPackage(cityArg, dataDir, seed);
      // Checked before any process starts: a bad package stops the command naming its file and
      // feature.
      city =
          cityPackage == null
              ? io.citybrain.geo.CityPackage.generatedHangzhou(seed)
              : io.citybrain.geo.CityPackage.read(cityPackage);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("citybrain cluster: " + e.getMessage());
      return 1;
    }
    ClusterCity.Options o =
        ClusterCity.Options.builder(dataDir.resolve("cluster"), flinkClasspath, jobJar)
            .seed(seed)
            .fresh(!keep)
            .ports(mqttPort, storePort, flinkPort)
            .devices(LocalCity.SIMULATED_DEVICES)
            .jobSettings(
                cityPackage == null
                    ? Map.of()
                    : Map.of("city.package", cityPackage.toAbsolutePath().toString()))
            .consolePort(consolePort)
            .flinkMetrics(flinkMetrics)
            .usersFile(users)
            .build();
    System.out.println(
        "citybrain cluster: starting (data and logs in " + o.dataDir().toAbsolutePath() + ")");
    ClusterCity cluster;
    try {
      cluster = ClusterCity.start(o, step -> System.out.println("  starting " + step + " ..."));
      for (String job : jobs) {
        System.out.println("  submitting " + job + " (" + jobJar + ") over REST ...");
        cluster.submit(job, Map.of());
      }
    } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("citybrain cluster: " + e.getMessage());
      return 1;
    }
    BackgroundSimulation sim = null;
    if (!noSim && users != null) {
      // As in ./citybrain local --mqtt-users: the simulated devices have no accounts.
      System.out.println(
          "  no simulators: they connect anonymously and the broker requires authentication");
    } else if (!noSim) {
      Fleet fleet = Fleet.build(city, LocalCity.SIMULATED_DEVICES, seed);
      sim = BackgroundSimulation.start(cluster.mqttUrl(), fleet, seed, Scenario.NORMAL_DAY);
    }
    BackgroundSimulation simulator = sim;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("\ncitybrain cluster: stopping ...");
                  if (simulator != null) {
                    try {
                      simulator.close();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  cluster.close();
                  System.out.println("citybrain cluster: stopped.");
                  stopped.countDown();
                },
                "citybrain-cluster-stop"));
    System.out.printf("citybrain cluster: up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    cluster.endpoints().forEach(l -> System.out.println("  " + l));
    System.out.println(
        "Open the live console in a browser: "
            + cluster.consoleUrl()
            + (cluster.consoleToken() == null
                ? " (sign in with an account of " + users + ")"
                : "?token=" + cluster.consoleToken()));
    if (simulator != null) {
      System.out.println(
          "  simulators         normal-day on " + LocalCity.SIMULATED_DEVICES + " devices");
    }
    // A part that dies is said at once and started again, as Kubernetes would (ProcessWatcher).
    cluster.watch(true, message -> System.err.println("citybrain cluster: " + message));
    System.out.println(
        "A part that exits is reported here and started again. Ctrl-C stops every process.");
    stopped.await();
    return 0;
  }
}
