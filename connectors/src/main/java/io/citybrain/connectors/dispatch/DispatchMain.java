package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.connectors.ops.OpsServer;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs alert dispatch as a process of its own, until SIGTERM or Ctrl-C; the shutdown hook closes
 * the dispatcher, which commits the offsets of what it delivered (what it had not finished is
 * delivered again by the next instance of the consumer group).
 *
 * <p>Configuration ({@link ProcessSettings}), as {@link
 * io.citybrain.connectors.bridge.BridgeMain}'s: the properties file given as the only argument
 * (optional), overridden by {@code -Ddispatch.*} system properties; the secrets may come from the
 * environment instead so that they appear on no command line: {@code
 * CITYBRAIN_DISPATCH_MQTT_PASSWORD}, {@code CITYBRAIN_DISPATCH_WEBHOOKS} (webhook URLs may carry a
 * key) and {@code CITYBRAIN_INFLUX_TOKEN} (the jobs' variable); the Kafka secrets only from there
 * ({@code CITYBRAIN_KAFKA_SASL_PASSWORD} and the others of {@link
 * io.citybrain.connectors.kafka.KafkaSecurity}). Keys: see {@link DispatchSettings#fromProperties}.
 * A bad value exits with status 2 and a message naming its key.
 *
 * <p>Operations endpoints ({@link OpsServer}): {@code dispatch.http.port} (default 9401; 0 an
 * ephemeral port, -1 none) on {@code dispatch.http.host} (default 0.0.0.0) serve {@code /metrics},
 * {@code /health/live} and {@code /health/ready}: ready while it polls city.alerts, its MQTT
 * connection stands and Kafka answers.
 */
public final class DispatchMain {

  /** Printed once the dispatcher is connected and consuming. */
  public static final String READY = "dispatch ready";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DispatchMain.class);

  private DispatchMain() {}

  public static void main(String[] args) throws Exception {
    DispatchSettings settings;
    AlertDispatcher dispatcher;
    try {
      Properties given = load(args, System.getenv());
      refuseUnknown(given);
      settings = DispatchSettings.fromProperties(given, System.getenv());
      dispatcher = AlertDispatcher.start(settings);
    } catch (IllegalArgumentException e) {
      System.err.println("dispatch: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    Properties p = load(args, System.getenv());
    KafkaProbe kafka =
        new KafkaProbe(
            settings.kafkaBootstrap(), settings.kafkaSecurity(), settings.clientId() + "-probe");
    OpsServer ops;
    try {
      ops = startOps(p, dispatcher, kafka);
    } catch (IllegalArgumentException e) {
      dispatcher.close();
      kafka.close();
      System.err.println("dispatch: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dispatcher.close();
                  if (ops != null) {
                    ops.close();
                  }
                  kafka.close();
                  stopped.countDown();
                },
                "dispatch-shutdown"));
    LOG.info(
        "alert dispatch {} consumes {} and publishes to {}",
        settings.clientId(),
        io.citybrain.contract.Topics.ALERTS,
        settings.mqttUrl());
    System.out.println(
        READY
            + ": "
            + settings
            + (ops == null
                ? ""
                : "; metrics " + ops.url() + "/metrics, health " + ops.url() + "/health/ready"));
    System.out.flush();
    stopped.await();
  }

  static final int DEFAULT_HTTP_PORT = 9401;

  /** Every key the dispatcher's process reads: its settings' and the ops port's. */
  public static final java.util.Set<String> KEYS = keys();

  private static java.util.Set<String> keys() {
    java.util.Set<String> keys = new java.util.TreeSet<>(DispatchSettings.KEYS);
    keys.addAll(OpsServer.keys("dispatch."));
    return java.util.Collections.unmodifiableSet(keys);
  }

  /**
   * A {@code dispatch.} key the dispatcher does not read stops it, naming the closest one it knows.
   */
  public static void refuseUnknown(Properties p) {
    ProcessSettings.refuseUnknown(
        p, "dispatch.", KEYS, "docs/egress.md, \"Running the dispatcher as its own process\"");
  }

  /** Null when {@code dispatch.http.port} is -1. */
  public static OpsServer startOps(Properties p, AlertDispatcher dispatcher, KafkaProbe kafka) {
    return OpsServer.fromSettings(
        p,
        "dispatch.",
        DEFAULT_HTTP_PORT,
        dispatcher::bindMetrics,
        () -> {
          Map<String, String> checks =
              new java.util.LinkedHashMap<>(
                  Map.of("dispatch", "polls city.alerts", "mqtt", "connected"));
          Map<String, String> problems = dispatcher.problems();
          checks.putAll(problems);
          java.util.Optional<String> kafkaProblem = kafka.problem();
          checks.put("kafka", kafkaProblem.orElse("answers"));
          return new OpsServer.Readiness(problems.isEmpty() && kafkaProblem.isEmpty(), checks);
        });
  }

  static Properties load(String[] args, Map<String, String> env) throws IOException {
    return ProcessSettings.load(
        args,
        "dispatch.",
        env,
        Map.of(
            "CITYBRAIN_DISPATCH_MQTT_PASSWORD", "dispatch.mqtt.password",
            "CITYBRAIN_DISPATCH_WEBHOOKS", DispatchSettings.WEBHOOKS_KEY,
            "CITYBRAIN_DISPATCH_WEBHOOK_SECRET", DispatchSettings.WEBHOOK_SECRET_KEY,
            "CITYBRAIN_DISPATCH_SMTP_PASSWORD", DispatchSettings.SMTP_PASSWORD_KEY,
            "CITYBRAIN_INFLUX_TOKEN", DispatchSettings.STORE_PREFIX + "influx.token"));
  }
}
