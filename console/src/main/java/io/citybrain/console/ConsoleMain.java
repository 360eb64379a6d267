package io.citybrain.console;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.connectors.ops.OpsServer;
import io.citybrain.geo.CityPackage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the live console as a process of its own ({@code ./citybrain console}, the Kubernetes
 * Deployment {@code console}, and {@code ./citybrain cluster}), until SIGTERM or Ctrl-C.
 *
 * <p>Configuration as {@link io.citybrain.connectors.dispatch.DispatchMain}'s: the properties file
 * given as the only argument (optional), overridden by {@code -Dconsole.*} system properties;
 * secrets from the environment ({@link ConsoleSettings#SECRETS}, and Kafka's of {@link
 * io.citybrain.connectors.kafka.KafkaSecurity}). Keys: {@link ConsoleSettings#fromProperties}, plus
 * {@code console.city.package} (a city package's directory) or {@code console.city.seed} (the
 * generated city of that seed, 42 by default) for the map, which must be the city the jobs run on.
 * A bad or unknown key exits with status 2 and a message naming it.
 *
 * <p>Operations endpoints ({@link OpsServer}) on {@code console.ops.http.port} (default 9402; 0 an
 * ephemeral port, -1 none) and {@code console.ops.http.host} (default 0.0.0.0): {@code /metrics},
 * {@code /health/live}, and {@code /health/ready}, ready while the console follows {@code
 * city.alerts}, its MQTT connection stands and Kafka answers.
 */
public final class ConsoleMain {

  /** Printed once the console serves. */
  public static final String READY = "console ready";

  static final int DEFAULT_OPS_PORT = 9402;

  private ConsoleMain() {}

  /** A console process's parts, closed in reverse order. */
  public record Running(ConsoleServer server, KafkaProbe kafka, OpsServer ops)
      implements AutoCloseable {
    @Override
    public void close() {
      if (ops != null) {
        ops.close();
      }
      kafka.close();
      server.close();
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(load(args, System.getenv()), System.getenv(), System.out, System.err));
  }

  /**
   * Starts the console, prints {@link #READY} with its addresses, and serves until the JVM shuts
   * down (SIGTERM, Ctrl-C); returns 2 for a bad setting and 1 when a part refused, having said why.
   */
  public static int run(
      Properties p, Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err)
      throws InterruptedException {
    Running running;
    try {
      running = start(p, env);
    } catch (IllegalArgumentException e) {
      err.println("console: bad configuration: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      err.println("console: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "console-shutdown"));
    // The URL without the token: this line goes to the process's log, which others may read.
    out.println(
        READY
            + ": "
            + running.server().url()
            + (running.server().token() == null
                ? " (read-only: started without CITYBRAIN_CONSOLE_TOKEN)"
                : " (acknowledging needs the token of CITYBRAIN_CONSOLE_TOKEN: open "
                    + running.server().url()
                    + "?token=...)")
            + (running.ops() == null
                ? ""
                : "; metrics "
                    + running.ops().url()
                    + "/metrics, health "
                    + running.ops().url()
                    + "/health/ready"));
    out.flush();
    stopped.await();
    return 0;
  }

  /**
   * Starts the console and its operations endpoints; a bad setting throws {@link
   * IllegalArgumentException} naming it.
   */
  public static Running start(Properties p, Map<String, String> env) {
    ConsoleSettings settings = ConsoleSettings.fromProperties(p, env);
    CityPackage city = city(p);
    ConsoleServer server = ConsoleServer.start(settings, city);
    KafkaProbe kafka = null;
    try {
      kafka =
          new KafkaProbe(
              settings.kafkaBootstrap(), settings.kafkaSecurity(), "citybrain-console-probe");
      KafkaProbe probe = kafka;
      OpsServer ops =
          OpsServer.fromSettings(
              p,
              "console.ops.",
              DEFAULT_OPS_PORT,
              server::bindMetrics,
              () -> readiness(server, probe));
      return new Running(server, kafka, ops);
    } catch (RuntimeException e) {
      if (kafka != null) {
        kafka.close();
      }
      server.close();
      throw e;
    }
  }

  static OpsServer.Readiness readiness(ConsoleServer server, KafkaProbe kafka) {
    Map<String, String> checks =
        new LinkedHashMap<>(Map.of("alerts", "follows city.alerts", "mqtt", "connected"));
    Map<String, String> problems = server.problems();
    checks.putAll(problems);
    java.util.Optional<String> kafkaProblem = kafka.problem();
    checks.put("kafka", kafkaProblem.orElse("answers"));
    List<String> store = server.storeProblems();
    checks.put(
        "store",
        store.isEmpty()
            ? "answered the last read"
            : "not ready-relevant: " + String.join("; ", store));
    return new OpsServer.Readiness(problems.isEmpty() && kafkaProblem.isEmpty(), checks);
  }

  static CityPackage city(Properties p) {
    String dir = p.getProperty("console.city.package");
    if (dir != null && !dir.isBlank()) {
      try {
        return CityPackage.read(Path.of(dir.strip()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "console.city.package " + dir.strip() + ": " + e.getMessage(), e);
      }
    }
    return CityPackage.generatedHangzhou(ProcessSettings.number(p, "console.city.seed", 42));
  }

  public static Properties load(String[] args, Map<String, String> env) throws IOException {
    return ProcessSettings.load(args, ConsoleSettings.PREFIX, env, ConsoleSettings.SECRETS);
  }
}
