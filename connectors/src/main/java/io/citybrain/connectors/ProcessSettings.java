package io.citybrain.connectors;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * How citybrain's own processes ({@code BridgeMain}, {@code DispatchMain}) read their settings: the
 * properties file given as the only argument (optional), overridden by the JVM's system properties
 * under their prefix; secrets may come from environment variables instead, so that they appear on
 * no command line (a key set otherwise wins).
 */
public final class ProcessSettings {

  private ProcessSettings() {}

  /**
   * @param prefix the process's keys, e.g. {@code bridge.}
   * @param secrets environment variable → key it fills
   */
  public static Properties load(
      String[] args, String prefix, Map<String, String> env, Map<String, String> secrets)
      throws IOException {
    Properties p = new Properties();
    if (args.length > 0) {
      try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(prefix)) {
        p.setProperty(name, System.getProperty(name));
      }
    }
    secrets.forEach(
        (variable, key) -> {
          String v = env.get(variable);
          if (v != null && !p.containsKey(key)) {
            p.setProperty(key, v);
          }
        });
    return p;
  }

  /** A whole number, {@code fallback} when unset; one that does not parse fails naming its key. */
  public static long number(Properties p, String key, long fallback) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
  }
}
