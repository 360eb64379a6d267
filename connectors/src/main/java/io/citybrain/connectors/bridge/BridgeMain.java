package io.citybrain.connectors.bridge;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.connectors.ops.OpsServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one bridge instance as a process of its own, until SIGTERM or Ctrl-C.
 *
 * <p>Configuration: the properties file given as the only argument (optional), overridden by {@code
 * -Dbridge.*} system properties; the passwords may come from the environment instead ({@code
 * CITYBRAIN_BRIDGE_MQTT_PASSWORD}, {@code CITYBRAIN_BRIDGE_TRUSTSTORE_PASSWORD}, {@code
 * CITYBRAIN_BRIDGE_KEYSTORE_PASSWORD}) so that they appear on no command line; Kafka's secrets only
 * from there ({@code CITYBRAIN_KAFKA_SASL_PASSWORD} and the others of {@link
 * io.citybrain.connectors.kafka.KafkaSecurity}). Keys: see {@link BridgeSettings}. Counters are
 * logged every {@code bridge.metrics.interval-ms} (default 10000). {@code bridge.max-reading-age=0}
 * turns the {@code stale-timestamp} rule off, for an instance that replays recorded history; it is
 * said at start, since a live city should not run so.
 *
 * <p>Operations endpoints ({@link OpsServer}): {@code bridge.http.port} (default 9400; 0 an
 * ephemeral port, -1 none) on {@code bridge.http.host} (default 0.0.0.0, so that Kubernetes' probes
 * and Prometheus reach the pod) serve {@code /metrics}, {@code /health/live} and {@code
 * /health/ready}: ready while the bridge is subscribed and Kafka answers.
 */
public final class BridgeMain {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeMain.class);

  private BridgeMain() {}

  public static void main(String[] args) throws Exception {
    Properties p = load(args, System.getenv());
    BridgeSettings settings;
    MqttKafkaBridge bridge;
    try {
      refuseUnknown(p);
      settings = BridgeSettings.fromProperties(p, System.getenv());
      // The registry and TLS files are read at start; a bad one is a configuration error too, named
      // by key.
      bridge = MqttKafkaBridge.start(settings);
    } catch (IllegalArgumentException e) {
      System.err.println("bridge: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IllegalStateException e) {
      // Refused by the broker or Kafka, or the broker unreachable: retrying would not change it.
      System.err.println("bridge: " + e.getMessage());
      System.exit(1);
      return;
    }
    OpsServer ops;
    KafkaProbe kafka;
    try {
      kafka =
          new KafkaProbe(
              settings.kafkaBootstrap(), settings.kafkaSecurity(), settings.clientId() + "-probe");
      ops = startOps(p, bridge, kafka);
    } catch (IllegalArgumentException e) {
      bridge.close();
      System.err.println("bridge: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    PipelineReporter pipeline;
    long interval;
    try {
      interval = ProcessSettings.number(p, METRICS_INTERVAL_KEY, 10_000);
      if (interval <= 0) {
        throw new IllegalArgumentException(
            "bridge.metrics.interval-ms must be positive, got " + interval);
      }
      InfluxSettings store = pipelineStore(p);
      // The contract's `pipeline` measurement, as the local city writes it, so that the Grafana
      // pipeline dashboard works in production too (issue 21).
      pipeline =
          store == null
              ? null
              : PipelineReporter.start(
                  bridge.metrics(),
                  PipelineReporter.BRIDGE_STAGE,
                  store,
                  Duration.ofMillis(interval));
    } catch (IllegalArgumentException e) {
      bridge.close();
      System.err.println("bridge: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (pipeline != null) {
                    pipeline.close();
                  }
                  bridge.close();
                  if (ops != null) {
                    ops.close();
                  }
                  kafka.close();
                  stopped.countDown();
                },
                "bridge-shutdown"));
    if (settings.maxReadingAge().isZero()) {
      LOG.warn(
          "bridge {}: {}=0, readings of any age are accepted (replaying recorded history)",
          settings.clientId(),
          BridgeSettings.MAX_READING_AGE_KEY);
    }
    System.out.println(
        "bridge ready: "
            + settings
            + (ops == null
                ? ""
                : "; metrics " + ops.url() + "/metrics, health " + ops.url() + "/health/ready"));
    System.out.flush();
    while (!stopped.await(interval, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      // The pipeline reporter, when there is one, owns the latency interval.
      LOG.info(
          "bridge {}: {}",
          settings.clientId(),
          pipeline == null
              ? bridge.metrics().snapshotAndResetLatency()
              : bridge.metrics().snapshot());
    }
  }

  /**
   * The store the {@code pipeline} measurement goes to: {@code bridge.influx.url} (none when
   * unset), {@code .org}, {@code .bucket} (default {@code citybrain}) and {@code .token} (or {@code
   * CITYBRAIN_INFLUX_TOKEN}).
   */
  static InfluxSettings pipelineStore(Properties p) {
    String url = p.getProperty("bridge." + InfluxSettings.URL_KEY);
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      return new InfluxSettings(
          url.trim(),
          p.getProperty("bridge." + InfluxSettings.ORG_KEY, "citybrain"),
          p.getProperty("bridge." + InfluxSettings.BUCKET_KEY, "citybrain"),
          p.getProperty("bridge." + InfluxSettings.TOKEN_KEY));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bridge." + e.getMessage(), e);
    }
  }

  /** Null when {@code bridge.http.port} is -1. */
  static OpsServer startOps(Properties p, MqttKafkaBridge bridge, KafkaProbe kafka) {
    return OpsServer.fromSettings(
        p, "bridge.", DEFAULT_HTTP_PORT, bridge::bindMetrics, () -> readiness(bridge, kafka));
  }

  static OpsServer.Readiness readiness(MqttKafkaBridge bridge, KafkaProbe kafka) {
    Map<String, String> checks = new java.util.LinkedHashMap<>();
    boolean subscribed = bridge.subscribed();
    checks.put(
        "mqtt",
        subscribed
            ? "subscribed to " + bridge.settings().subscription()
            : "not connected to the broker");
    java.util.Optional<String> kafkaProblem = kafka.problem();
    checks.put("kafka", kafkaProblem.orElse("answers"));
    return new OpsServer.Readiness(subscribed && kafkaProblem.isEmpty(), checks);
  }

  static final int DEFAULT_HTTP_PORT = 9400;

  static final String METRICS_INTERVAL_KEY = "bridge.metrics.interval-ms";

  /** Every key the bridge's process reads: its settings', the pipeline store's, the ops port's. */
  public static final Set<String> KEYS = keys();

  private static Set<String> keys() {
    Set<String> keys = new TreeSet<>(BridgeSettings.KEYS);
    keys.add(METRICS_INTERVAL_KEY);
    for (String k :
        List.of(
            InfluxSettings.URL_KEY,
            InfluxSettings.ORG_KEY,
            InfluxSettings.BUCKET_KEY,
            InfluxSettings.TOKEN_KEY)) {
      keys.add("bridge." + k);
    }
    keys.addAll(OpsServer.keys("bridge."));
    return java.util.Collections.unmodifiableSet(keys);
  }

  /** A {@code bridge.} key the bridge does not read stops it, naming the closest one it knows. */
  public static void refuseUnknown(Properties p) {
    ProcessSettings.refuseUnknown(p, "bridge.", KEYS, "docs/ingest.md, \"Configuration\"");
  }

  static Properties load(String[] args, Map<String, String> env) throws IOException {
    return ProcessSettings.load(
        args,
        "bridge.",
        env,
        Map.of(
            "CITYBRAIN_BRIDGE_MQTT_PASSWORD", "bridge.mqtt.password",
            "CITYBRAIN_BRIDGE_TRUSTSTORE_PASSWORD", "bridge.mqtt.truststore.password",
            "CITYBRAIN_BRIDGE_KEYSTORE_PASSWORD", "bridge.mqtt.keystore.password",
            "CITYBRAIN_INFLUX_TOKEN", "bridge.influx.token"));
  }
}
