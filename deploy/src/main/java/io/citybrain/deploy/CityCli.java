package io.citybrain.deploy;

import io.citybrain.connectors.geography.GeographyPublisher;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.Layer;
import io.citybrain.geo.LayerFile;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.osm.OsmImport;
import io.citybrain.simulators.SimulateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./citybrain}: the command line of the project. */
@Command(
    name = "citybrain",
    mixinStandardHelpOptions = true,
    version = "citybrain 0.1.0",
    description = "Stream-processing backend of a city operations centre.",
    subcommands = {
      CityCli.Local.class,
      ClusterCommand.class,
      ConsoleCommand.class,
      CityCli.City.class,
      UsersCommand.class,
      SimulateCommand.class
    })
public final class CityCli implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new CityCli()).execute(args));
  }

  @Command(
      name = "local",
      mixinStandardHelpOptions = true,
      description = {
        "Starts the whole city on this machine: MQTT broker, Kafka, time-series store, Flink with all jobs,",
        "the bridge, alert dispatch and the simulators. Stops cleanly on Ctrl-C or SIGTERM."
      })
  static final class Local implements Callable<Integer> {
    @Option(
        names = "--mqtt-port",
        defaultValue = "1883",
        description = "MQTT broker port (default ${DEFAULT-VALUE})")
    int mqttPort;

    @Option(
        names = "--kafka-port",
        defaultValue = "9092",
        description = "Kafka port (default ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(
        names = "--store-port",
        defaultValue = "9000",
        description = "time-series store HTTP port (default ${DEFAULT-VALUE})")
    int storePort;

    @Option(
        names = "--flink-port",
        defaultValue = "8081",
        description = "Flink web UI port (default ${DEFAULT-VALUE})")
    int flinkPort;

    @Option(
        names = "--console-port",
        defaultValue = "" + LocalCity.Options.DEFAULT_CONSOLE_PORT,
        description =
            "port of the live console in the browser (default ${DEFAULT-VALUE}); -1 for none")
    int consolePort;

    @Option(
        names = "--data-dir",
        defaultValue = ".citybrain",
        description = "where all data is kept (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--fresh", description = "wipe the data directory first")
    boolean fresh;

    @Option(
        names = "--no-sim",
        description = "start without simulators (publish your own readings)")
    boolean noSim;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "simulator seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
        names = "--live-interval",
        defaultValue = "20",
        description =
            "seconds between live indicator printouts, 0 for none (default ${DEFAULT-VALUE})")
    int liveInterval;

    @Option(
        names = "--emergency",
        paramLabel = "KEY=VALUE",
        description =
            "an emergency job setting without its "
                + "'emergency.' prefix, e.g. --emergency escalate-after=60 --emergency ticket-deadline.water=3600 (README, Configuration)")
    Map<String, String> emergency = Map.of();

    @Option(
        names = "--mqtt-users",
        description =
            "users file (username,role,scope,password-hash) that turns on the "
                + "MQTT broker's authentication and access control; without it anonymous devices may connect")
    Path mqttUsers;

    @Option(
        names = "--city",
        paramLabel = "DIR|CODE",
        description = {
          "a city package directory (`city import` or `city export` "
              + "writes one), or a Chinese prefecture code such as 2101 (Shenyang): its real districts, the rest generated from --seed",
          "default: the generated Hangzhou of --seed"
        })
    String city;

    @Option(
        names = "--flink-metrics",
        description =
            "the jobs' metrics through Flink's Prometheus reporter, on a port "
                + "printed as 'Flink metrics'; it listens on every interface (off: every other port stays on loopback)")
    boolean flinkMetrics;

    /** The local city's MQTT brokers. */
    enum Broker {
      embedded,
      mosquitto
    }

    @Option(
        names = "--broker",
        defaultValue = "embedded",
        description = {
          "the MQTT broker: embedded (Moquette, in this "
              + "process; default) or mosquitto (Debian's, started as a child process)",
          "mosquitto for a simulation above about 1,000 readings/s: the embedded broker lets the bridge take about that many"
        })
    Broker broker;

    @Option(
        names = "--max-reading-age",
        paramLabel = "DURATION",
        defaultValue = "PT2H",
        description = {
          "the bridge's bridge.max-reading-age: readings observed longer ago are dead letters stale-timestamp "
              + "(ISO-8601, default ${DEFAULT-VALUE})",
          "0 for no limit, to replay a recording older than that with `simulate --replay` (docs/ingest.md)"
        })
    String maxReadingAge;

    @Override
    public Integer call() throws Exception {
      long t0 = System.nanoTime();
      Duration readingAge;
      try {
        readingAge = io.citybrain.connectors.bridge.BridgeSettings.maxReadingAge(maxReadingAge);
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain local: --max-reading-age: " + e.getMessage());
        return 2;
      }
      EmergencySettings rules;
      try {
        String[] emergencyArgs =
            emergency.entrySet().stream()
                .flatMap(e -> Stream.of("--emergency." + e.getKey(), e.getValue()))
                .toArray(String[]::new);
        io.citybrain.jobs.common.JobSettings.refuseUnknown(
            emergencyArgs,
            EmergencySettings.KEYS,
            java.util.List.of(EmergencySettings.TICKET_DEADLINE_PREFIX));
        rules = EmergencySettings.fromArgs(emergencyArgs);
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain local: " + e.getMessage());
        return 2;
      }
      Path cityPackage;
      try {
        cityPackage = cityPackage(city, dataDir, seed);
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        System.err.println("citybrain local: --city " + e.getMessage());
        return 2;
      }
      LocalCity.Options o =
          new LocalCity.Options.Builder()
              .dataDir(dataDir)
              .ports(mqttPort, kafkaPort, storePort, flinkPort)
              .simulate(!noSim)
              .seed(seed)
              .fresh(fresh)
              .kafkaOverrides(Map.of("log.retention.hours", "24"))
              .emergency(rules)
              .mqttUsers(mqttUsers)
              .consolePort(consolePort)
              .city(cityPackage)
              .maxReadingAge(readingAge)
              .flinkMetrics(flinkMetrics)
              .mosquitto(broker == Broker.mosquitto)
              .build();
      System.out.println("citybrain local: starting (data in " + dataDir.toAbsolutePath() + ")");
      if (readingAge.isZero()) {
        System.out.println(
            "citybrain local: --max-reading-age 0: the bridge accepts readings of any age (for replaying recordings)");
      }
      LocalCity city;
      try {
        city = LocalCity.start(o, step -> System.out.println("  starting " + step + " ..."));
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain local: " + e.getMessage());
        return 2;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("\ncitybrain local: stopping ...");
                    city.close();
                    System.out.println("citybrain local: stopped.");
                    stopped.countDown();
                  },
                  "citybrain-shutdown"));
      System.out.printf("citybrain local: up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      city.endpoints().forEach(l -> System.out.println("  " + l));
      city.consoleUrl()
          .ifPresent(u -> System.out.println("Open the live console in a browser: " + u));
      System.out.println(
          "Indicators are per one-minute window: the first traffic_district rows appear within a minute of launch.");
      System.out.println("Ctrl-C stops the city.");
      if (liveInterval > 0) {
        LiveView.run(city, Duration.ofSeconds(liveInterval), stopped);
      }
      stopped.await();
      return 0;
    }
  }

  /**
   * The package directory {@code --city} names: a directory as given, or for a four-digit Chinese
   * prefecture code (when no such directory exists) the generated package of that prefecture,
   * written once to {@code <data-dir>/cities/cn-<code>-<seed>} for the jobs to read. Null for none.
   */
  static Path cityPackage(String arg, Path dataDir, long seed) throws java.io.IOException {
    if (arg == null) {
      return null;
    }
    Path dir = Path.of(arg);
    if (Files.isDirectory(dir) || !arg.matches("\\d{4}")) {
      return dir;
    }
    Path generated = dataDir.resolve("cities").resolve("cn-" + arg + "-" + seed);
    if (!Files.exists(generated.resolve(io.citybrain.geo.CityManifest.FILE))) {
      System.out.println(
          "citybrain: generating the city of prefecture "
              + arg
              + " (seed "
              + seed
              + ") into "
              + generated
              + " ...");
      CityPackage.generatedChinese(arg, seed).write(generated);
    }
    return generated;
  }

  @Command(
      name = "city",
      mixinStandardHelpOptions = true,
      description =
          "The city model: a city package (docs/geography.md), exported, imported or published.",
      subcommands = {CityCli.Export.class, CityCli.Import.class, CityCli.Publish.class})
  static final class City implements Runnable {
    @Override
    public void run() {
      CommandLine.usage(this, System.out);
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Writes the generated city of SEED as a city package into DIR: city.json (names, time zone, map view,",
        "each layer's source and licence) and GeoJSON layers (districts, communities, roads, buildings, zones,",
        "facilities) that QGIS or kepler.gl open directly. The same seed always writes the same bytes. DIR is",
        "written whole or not at all; an existing DIR must be empty or an earlier package."
      })
  static final class Export implements Callable<Integer> {
    @CommandLine.Parameters(
        index = "0",
        paramLabel = "DIR",
        description = "directory to write into (created if missing)")
    Path dir;

    @Option(
        names = "--seed",
        defaultValue = "" + CityModel.DEFAULT_SEED,
        description = "seed of the generated city (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
      CityPackage pkg = CityPackage.generatedHangzhou(seed);
      try {
        pkg.write(dir);
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain city export: nothing written: " + e.getMessage());
        return 1;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.sorted().toList()) {
          System.out.println(p + "  " + Files.size(p) + " bytes");
        }
      }
      CityModel city = pkg.city();
      System.out.printf(
          "city seed %d: %d districts, %d communities, %d road segments, %d buildings, %d utility zones, %d facilities%n",
          seed,
          city.districts().size(),
          city.communities().size(),
          city.roads().size(),
          city.buildings().size(),
          city.zones().size(),
          city.facilities().size());
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Makes a city package from an OpenStreetMap extract (.osm, .osm.bz2, .osm.gz, .osm.pbf) and, optionally,",
        "the city's own district, community and zone boundaries (GeoJSON as `city export` writes them). Prints what",
        "it imported and what it skipped and why. A bad file is refused naming it and the feature; the package",
        "appears whole or not at all. Exit code 0 written, 1 refused, 2 bad arguments (docs/geography.md)."
      })
  static final class Import implements Callable<Integer> {
    @Option(
        names = "--osm",
        required = true,
        paramLabel = "FILE",
        description = "the OpenStreetMap extract")
    Path osm;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "the package directory to write (new, empty or an earlier package)")
    Path out;

    @Option(
        names = "--districts",
        paramLabel = "FILE",
        description = {
          "district boundaries (properties code, name); default: the "
              + "extract's administrative boundaries, else one district covering the extract"
        })
    Path districts;

    @Option(
        names = "--communities",
        paramLabel = "FILE",
        description =
            "communities (properties id, district, name); default: generated inside the districts")
    Path communities;

    @Option(
        names = "--zones",
        paramLabel = "FILE",
        description =
            "utility zones (properties id, utility, district); default: generated inside the districts")
    Path zones;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "the city's English name (default: the file's name)")
    String name;

    @Option(names = "--name-zh", paramLabel = "NAME", description = "the city's Chinese name")
    String nameZh;

    @Option(
        names = "--time-zone",
        paramLabel = "ZONE",
        description = "IANA time zone, e.g. America/Los_Angeles (default UTC, said so)")
    String timeZone;

    @Option(
        names = "--skip-outside",
        description = "leave out roads outside every district instead of refusing the import")
    boolean skipOutside;

    @Option(
        names = "--seed",
        defaultValue = "" + CityModel.DEFAULT_SEED,
        description = "seed of generated communities and zones (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
      try {
        OsmImport.run(
            new OsmImport.Options(
                osm, out, districts, communities, zones, name, nameZh, timeZone, skipOutside, seed),
            System.out::println);
        return 0;
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        System.err.println("citybrain city import: refused, nothing written: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = {
        "Checks a replacement communities, zones or roads layer (GeoJSON with the properties `city export` writes)",
        "and publishes it to city.geography, where the running emergency (communities), utility (zones) and traffic (roads) jobs take",
        "it up without a restart (docs/geography.md). A bad layer is refused, naming the feature and the problem,",
        "and nothing is published. Exit code 0 published, 1 refused or not published, 2 bad arguments."
      })
  static final class Publish implements Callable<Integer> {
    @CommandLine.Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "the whole layer, a GeoJSON FeatureCollection")
    Path file;

    @Option(
        names = "--layer",
        required = true,
        paramLabel = "communities|zones|roads",
        description = "which layer FILE replaces")
    String layer;

    @Option(
        names = "--kafka",
        defaultValue = "localhost:9092",
        description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}, the local city's)")
    String kafka;

    @Option(
        names = "--kafka-setting",
        paramLabel = "KEY=VALUE",
        description = {
          "Kafka security, as the jobs take it "
              + "(docs/operations.md#kafka-security), e.g. kafka.security.protocol=SASL_SSL kafka.sasl.mechanism=SCRAM-SHA-512 "
              + "kafka.ssl.truststore.location=ca.p12; repeatable.",
          "Passwords only from the environment: CITYBRAIN_KAFKA_SASL_PASSWORD, CITYBRAIN_KAFKA_SSL_TRUSTSTORE_PASSWORD, ..."
        })
    Map<String, String> kafkaSettings = new LinkedHashMap<>();

    @Option(
        names = "--seed",
        defaultValue = "" + CityModel.DEFAULT_SEED,
        description =
            "seed of the city the jobs run (default ${DEFAULT-VALUE}): districts are checked against it")
    long seed;

    @Option(
        names = "--city",
        paramLabel = "DIR",
        description = "the city package the jobs run on (default: the generated city of --seed)")
    Path cityPackage;

    @Option(
        names = "--geography-version",
        paramLabel = "VERSION",
        description =
            "the version logged by the jobs "
                + "(default: the file's top-level \"version\", else sha256: and the first 12 hex digits of the file's hash)")
    String version;

    @Override
    public Integer call() throws Exception {
      Layer which;
      try {
        which = Layer.of(layer);
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain city publish: --" + e.getMessage());
        return 2;
      }
      KafkaSecurity security;
      try {
        // First, so that a password given here gets the message that names its environment
        // variable.
        security = KafkaSecurity.from("", kafkaSettings::get, System.getenv());
        for (String key : kafkaSettings.keySet()) {
          if (!KafkaSecurity.KEYS.contains(key)) {
            throw new IllegalArgumentException(
                key
                    + " is not a Kafka setting (one of "
                    + String.join(", ", KafkaSecurity.KEYS)
                    + ")");
          }
        }
      } catch (IllegalArgumentException e) {
        System.err.println("citybrain city publish: --kafka-setting " + e.getMessage());
        return 2;
      }
      byte[] bytes;
      LayerFile checked;
      try {
        bytes = Files.readAllBytes(file);
        checked = LayerFile.read(which, bytes, file.getFileName().toString());
        (cityPackage == null ? CityModel.generate(seed) : CityPackage.read(cityPackage).city())
            .with(checked);
      } catch (IllegalArgumentException | java.io.IOException | java.io.UncheckedIOException e) {
        System.err.println("citybrain city publish: refused, nothing published: " + e.getMessage());
        return 1;
      }
      String v = version != null ? version : checked.version();
      if (v == null) {
        v =
            "sha256:"
                + java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 12);
      }
      if (!v.equals(checked.version())) {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) GEOJSON.readTree(bytes);
        json.put("version", v);
        bytes = GEOJSON.writeValueAsBytes(json);
      }
      try {
        var at = GeographyPublisher.publish(kafka, security, which.wireName(), bytes);
        System.out.printf(
            "published %s layer version %s (%d features, %d bytes) to %s partition %d offset %d%n",
            which, v, checked.size(), bytes.length, at.topic(), at.partition(), at.offset());
        return 0;
      } catch (java.util.concurrent.ExecutionException | org.apache.kafka.common.KafkaException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        System.err.println(
            "citybrain city publish: not published to " + kafka + ": " + cause.getMessage());
        return 1;
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper GEOJSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Prints the latest indicators now and then, so a newcomer sees the city move. */
  static final class LiveView {
    private LiveView() {}

    static void run(LocalCity city, Duration every, CountDownLatch stopped)
        throws InterruptedException {
      // Until the first rows, look every 2 s so that they show as soon as they are stored.
      long firstLook = Math.min(every.toMillis(), 2_000);
      boolean seen = false;
      long lastPrint = System.nanoTime();
      while (!stopped.await(
          seen ? every.toMillis() : firstLook, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        try {
          List<Map<String, Object>> rows =
              city.store()
                  .query(
                      "SELECT district, mean_speed_kmh, samples, timestamp FROM traffic_district LATEST ON timestamp PARTITION BY district ORDER BY district");
          if (!seen && rows.isEmpty() && System.nanoTime() - lastPrint < every.toNanos()) {
            continue;
          }
          seen = !rows.isEmpty();
          lastPrint = System.nanoTime();
          StringBuilder sb =
              new StringBuilder(
                  "[" + Instant.now() + "] traffic_district (latest window per district):");
          if (rows.isEmpty()) {
            sb.append(" none yet");
          }
          for (Map<String, Object> r : rows) {
            sb.append(
                String.format(
                    java.util.Locale.ROOT,
                    "%n  %s  mean %5.1f km/h  %5s samples  window end %s",
                    r.get("district"),
                    ((Number) r.get("mean_speed_kmh")).doubleValue(),
                    r.get("samples"),
                    r.get("timestamp")));
          }
          System.out.println(sb);
        } catch (RuntimeException e) {
          System.out.println("live view: " + e.getMessage());
        }
      }
    }
  }
}
