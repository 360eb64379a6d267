package io.citybrain.simulators;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./citybrain simulate}: simulated devices publishing contract-v1 readings to a broker. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Publishes simulated device readings (contract v1) over MQTT to any broker.",
      "Scenarios: normal-day, rush-hour, incident, water-burst, power-outage, gas-leak, fire, flood, sos, ticket-backlog",
      "(--list-scenarios prints what each does and what the city brain should show)."
    })
public final class SimulateCommand implements Callable<Integer> {

  @Option(
      names = "--mqtt",
      defaultValue = "tcp://127.0.0.1:1883",
      description = "broker URL, tcp:// or ssl:// (default ${DEFAULT-VALUE})")
  String mqtt;

  @Option(names = "--username", description = "MQTT user name")
  String username;

  @Option(
      names = "--password",
      description = "MQTT password (better: the CITYBRAIN_MQTT_PASSWORD environment variable)",
      interactive = false)
  String password;

  @Option(
      names = "--truststore",
      description = "for ssl://: a JKS/PKCS12 truststore with the broker's CA")
  Path truststore;

  @Option(names = "--truststore-password", description = "its password")
  String truststorePassword;

  @Option(
      names = "--qos",
      defaultValue = "1",
      description = "MQTT QoS, 0 or 1 (default ${DEFAULT-VALUE})")
  int qos;

  @Option(
      names = "--scenario",
      defaultValue = "normal-day",
      description = "what to play (default ${DEFAULT-VALUE})")
  String scenario;

  @Option(
      names = "--list-scenarios",
      description = "print the scenarios with their expected outcome, and exit")
  boolean listScenarios;

  @Option(
      names = "--devices",
      defaultValue = "1000",
      description = "fleet size, up to 200000 (default ${DEFAULT-VALUE})")
  int devices;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "city and fleet seed: same seed, same messages (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--city",
      paramLabel = "DIR|CODE",
      description =
          "the city the running jobs use: a city package directory, "
              + "or a Chinese prefecture code such as 2101 (default: the generated Hangzhou of --seed)")
  String city;

  @Option(
      names = "--speed",
      defaultValue = "1",
      description = "simulated seconds per wall second (default ${DEFAULT-VALUE})")
  double speed;

  @Option(
      names = "--duration",
      description =
          "simulated time to play, e.g. PT1H or 90m (default: until Ctrl-C at speed 1, one hour otherwise)")
  String duration;

  @Option(
      names = "--start",
      description =
          "simulated start, ISO-8601 (default: now, or one duration ago when --speed > 1 so timestamps never run ahead of now)")
  Instant start;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "messages per second at most, 0 for no cap (default ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--record", description = "write every message sent to this JSON-lines file")
  Path record;

  @Option(
      names = "--replay",
      description = "send a recorded file instead of simulating (at --speed times its pace)")
  Path replay;

  @Option(names = "--registry", description = "write the device registry (devices.csv) here")
  Path registry;

  @Option(
      names = "--omit-fixed-positions",
      description = {
        "fixed devices (meters, alarms, loops, hotlines) send no lat/lon; the bridge places them from its",
        "device registry (bridge.registry.path, e.g. the file --registry writes). Probes still send theirs."
      })
  boolean omitFixedPositions;

  @Option(
      names = "--chaos-malformed",
      defaultValue = "0",
      description = "%% of messages corrupted (default ${DEFAULT-VALUE})")
  double chaosMalformed;

  @Option(
      names = "--chaos-duplicates",
      defaultValue = "0",
      description = "%% of messages sent twice")
  double chaosDuplicates;

  @Option(
      names = "--chaos-disorder",
      defaultValue = "0",
      description = "%% of messages delivered late, out of order")
  double chaosDisorder;

  @Option(
      names = "--chaos-skewed",
      defaultValue = "0",
      description = "%% of devices whose clock is off")
  double chaosSkewed;

  @Option(
      names = "--chaos-max-skew",
      defaultValue = "PT2M",
      description = "how far off, at most (default ${DEFAULT-VALUE})")
  Duration chaosMaxSkew;

  @Option(
      names = "--client-id",
      description = "MQTT client id (default citybrain-sim-<seed>-<pid>-<random>: unique per run)")
  String clientId;

  @Option(
      names = "--chaos-dropout",
      defaultValue = "0",
      description = "%% of devices silent ten minutes an hour")
  double chaosDropout;

  @Override
  public Integer call() throws Exception {
    if (listScenarios) {
      for (Scenario s : Scenario.values()) {
        System.out.printf(
            "%-15s %s%n%-15s expected: %s%n", s.wireName(), s.description(), "", s.expected());
      }
      return 0;
    }
    if (devices < 10 || devices > 200_000) {
      throw new IllegalArgumentException("--devices must be within 10..200000, got " + devices);
    }
    // Before any connection: a wrong --city stops the command naming it, and nothing is sent.
    io.citybrain.geo.CityPackage cityPackage = replay != null ? null : city();
    if (truststore != null) {
      System.setProperty("javax.net.ssl.trustStore", truststore.toString());
      if (truststorePassword != null) {
        System.setProperty("javax.net.ssl.trustStorePassword", truststorePassword);
      }
    }
    String pw = password != null ? password : System.getenv("CITYBRAIN_MQTT_PASSWORD");
    Publisher.Target target =
        new Publisher.Target(
            mqtt,
            clientId != null ? clientId : Publisher.Target.uniqueClientId(seed),
            username,
            pw == null ? null : pw.toCharArray(),
            qos);
    Stats stats = new Stats();
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Thread onCtrlC =
        new Thread(
            () -> {
              stop.set(true);
              try {
                main.join(35_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    long t0 = System.nanoTime();
    try (Publisher publisher = new Publisher(target, rate, record, stats)) {
      if (replay != null) {
        System.out.println("replaying " + replay + " at x" + speed + " to " + mqtt);
        Replay.run(replay, speed, publisher, stop::get);
      } else {
        Scenario sc = Scenario.of(scenario);
        Duration d =
            duration != null ? parseDuration(duration) : speed == 1 ? null : Duration.ofHours(1);
        Instant s =
            start != null ? start : speed > 1 && d != null ? Instant.now().minus(d) : Instant.now();
        Fleet fleet = Fleet.build(cityPackage, devices, seed);
        if (registry != null) {
          fleet.writeRegistry(registry);
        }
        System.out.printf(
            "simulating %s: %d devices, seed %d, from %s at x%s%s%n  %s%n  expected: %s%n",
            sc.wireName(),
            fleet.devices().size(),
            seed,
            s,
            speed,
            d == null ? " until Ctrl-C" : " for " + d,
            sc.description(),
            sc.expected());
        targets(sc, fleet).forEach((k, v) -> System.out.println("  " + k + ": " + v));
        if (omitFixedPositions) {
          System.out.println(
              "  fixed devices send no position: the bridge must place them from this fleet's registry"
                  + (registry == null ? " (--registry writes it)" : " (" + registry + ")"));
        }
        new Simulation(
                fleet,
                new Simulation.Settings(
                    seed,
                    sc,
                    speed,
                    d,
                    s,
                    new Chaos(
                        chaosMalformed,
                        chaosDuplicates,
                        chaosDisorder,
                        chaosSkewed,
                        chaosMaxSkew.toMillis(),
                        chaosDropout),
                    omitFixedPositions))
            .run(publisher, stats, stop::get, line -> System.out.print("\r" + line + "   "));
        System.out.println();
      }
    } finally {
      // Called in-process (tests, the local city), a hook left behind would make the JVM's exit
      // wait 35 s for this thread, which is then the one exiting.
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and lets us finish.
      }
    }
    StringBuilder why = new StringBuilder();
    stats
        .failureReasons()
        .forEach(
            (reason, n) ->
                why.append(why.length() == 0 ? " (" : "; ")
                    .append(String.format("%,d %s", n, reason)));
    if (why.length() > 0) {
      why.append(")");
    }
    System.out.printf(
        "done in %.1f s: sent %,d, acknowledged %,d, failed %,d%s%n",
        (System.nanoTime() - t0) / 1e9, stats.sent(), stats.acked(), stats.failed(), why);
    stats
        .byKind()
        .forEach(
            (k, v) ->
                System.out.printf(
                    "  %-18s sent %,10d  acknowledged %,10d  failed %,d%n", k, v[0], v[1], v[2]));
    return stats.failed() == 0 ? 0 : 1;
  }

  private static Map<String, String> targets(Scenario sc, Fleet fleet) {
    return switch (sc) {
      case INCIDENT -> Map.of("incident segment", fleet.incidentSegment());
      case WATER_BURST -> Map.of("burst zone", fleet.burstZone());
      case POWER_OUTAGE -> Map.of("outage zone", fleet.outageZone());
      case FIRE -> Map.of("building", fleet.fireBuilding());
      default -> Map.of();
    };
  }

  /** ISO-8601 (PT90M) or a number with s, m, h or d. */
  static Duration parseDuration(String text) {
    try {
      if (text.startsWith("P") || text.startsWith("p")) {
        return Duration.parse(text);
      }
      long n = Long.parseLong(text.substring(0, text.length() - 1));
      return switch (text.charAt(text.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--duration must be like PT1H, 90m, 30s, 24h or 1d, got '" + text + "'");
    }
  }

  /** The city to place the fleet on: the same package (or prefecture and seed) as the jobs'. */
  private io.citybrain.geo.CityPackage city() {
    if (city == null) {
      return io.citybrain.geo.CityPackage.generatedHangzhou(seed);
    }
    java.nio.file.Path dir = java.nio.file.Path.of(city);
    return java.nio.file.Files.isDirectory(dir) || !city.matches("\\d{4}")
        ? io.citybrain.geo.CityPackage.read(dir)
        : io.citybrain.geo.CityPackage.generatedChinese(city, seed);
  }
}
