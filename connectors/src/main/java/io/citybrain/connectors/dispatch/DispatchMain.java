package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.ProcessSettings;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs alert dispatch as a process of its own, until SIGTERM or Ctrl-C; the shutdown hook closes
 * the dispatcher, which commits the offsets of what it delivered (what it had not finished is
 * delivered again by the next instance of the consumer group).
 *
 * <p>Configuration ({@link ProcessSettings}), as {@link io.citybrain.connectors.bridge.BridgeMain}'s: the properties file given
 * as the only argument (optional), overridden by {@code -Ddispatch.*} system properties; the secrets
 * may come from the environment instead so that they appear on no command line:
 * {@code CITYBRAIN_DISPATCH_MQTT_PASSWORD}, {@code CITYBRAIN_DISPATCH_WEBHOOKS} (webhook URLs may
 * carry a key) and {@code CITYBRAIN_INFLUX_TOKEN} (the jobs' variable); the Kafka secrets only from
 * there ({@code CITYBRAIN_KAFKA_SASL_PASSWORD} and the others of
 * {@link io.citybrain.connectors.kafka.KafkaSecurity}). Keys: see
 * {@link DispatchSettings#fromProperties}. A bad value exits with status 2 and a message naming its key.
 */
public final class DispatchMain {

  /** Printed once the dispatcher is connected and consuming. */
  public static final String READY = "dispatch ready";

  private DispatchMain() {}

  public static void main(String[] args) throws Exception {
    DispatchSettings settings;
    AlertDispatcher dispatcher;
    try {
      settings = DispatchSettings.fromProperties(load(args, System.getenv()), System.getenv());
      dispatcher = AlertDispatcher.start(settings);
    } catch (IllegalArgumentException e) {
      System.err.println("dispatch: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dispatcher.close();
      stopped.countDown();
    }, "dispatch-shutdown"));
    System.out.println(READY + ": " + settings);
    System.out.flush();
    stopped.await();
  }

  static Properties load(String[] args, Map<String, String> env) throws IOException {
    return ProcessSettings.load(args, "dispatch.", env, Map.of(
        "CITYBRAIN_DISPATCH_MQTT_PASSWORD", "dispatch.mqtt.password",
        "CITYBRAIN_DISPATCH_WEBHOOKS", DispatchSettings.WEBHOOKS_KEY,
        "CITYBRAIN_INFLUX_TOKEN", DispatchSettings.STORE_PREFIX + "influx.token"));
  }
}
