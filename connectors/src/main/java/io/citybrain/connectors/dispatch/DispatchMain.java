package io.citybrain.connectors.dispatch;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs alert dispatch as a process of its own, until SIGTERM or Ctrl-C; the shutdown hook closes
 * the dispatcher, which commits the offsets of what it delivered (what it had not finished is
 * delivered again by the next instance of the consumer group).
 *
 * <p>Configuration, as {@link io.citybrain.connectors.bridge.BridgeMain}'s: the properties file given
 * as the only argument (optional), overridden by {@code -Ddispatch.*} system properties; the secrets
 * may come from the environment instead so that they appear on no command line:
 * {@code CITYBRAIN_DISPATCH_MQTT_PASSWORD}, {@code CITYBRAIN_DISPATCH_WEBHOOKS} (webhook URLs may
 * carry a key) and {@code CITYBRAIN_INFLUX_TOKEN} (the jobs' variable). Keys: see
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
      settings = DispatchSettings.fromProperties(load(args, System.getenv()));
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
    Properties p = new Properties();
    if (args.length > 0) {
      try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("dispatch.")) {
        p.setProperty(name, System.getProperty(name));
      }
    }
    fromEnv(p, env, "CITYBRAIN_DISPATCH_MQTT_PASSWORD", "dispatch.mqtt.password");
    fromEnv(p, env, "CITYBRAIN_DISPATCH_WEBHOOKS", DispatchSettings.WEBHOOKS_KEY);
    fromEnv(p, env, "CITYBRAIN_INFLUX_TOKEN", DispatchSettings.STORE_PREFIX + "influx.token");
    return p;
  }

  private static void fromEnv(Properties p, Map<String, String> env, String variable, String key) {
    String v = env.get(variable);
    if (v != null && !p.containsKey(key)) {
      p.setProperty(key, v);
    }
  }
}
