package io.citybrain.connectors;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

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
    return number(p::getProperty, key, fallback);
  }

  /**
   * {@link #number(Properties, String, long)} as an {@code int}: a value beyond it fails naming its
   * key instead of wrapping round into one that passes the caller's range check.
   */
  public static int intNumber(Properties p, String key, int fallback) {
    return intNumber(p::getProperty, key, fallback);
  }

  /** {@link #intNumber(Properties, String, int)} from any lookup of keys. */
  public static int intNumber(
      java.util.function.UnaryOperator<String> get, String key, int fallback) {
    long v = number(get, key, fallback);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " is out of range, got " + v);
    }
    return (int) v;
  }

  /** {@link #number(Properties, String, long)} from any lookup of keys. */
  public static long number(
      java.util.function.UnaryOperator<String> get, String key, long fallback) {
    String v = get.apply(key);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
  }

  /**
   * Stops start-up on keys nobody reads: a misspelt key would otherwise leave its setting at the
   * default without a word, which an operator finds out at 3 a.m.
   *
   * @param given the keys the process was given
   * @param known whether a key is read (or left to another part that reads it)
   * @param candidates the keys to suggest from, for "did you mean"
   * @param where where the keys are listed, for the message
   * @throws IllegalArgumentException naming every unknown key, each with the closest known one
   */
  public static void refuseUnknown(
      Collection<String> given,
      Predicate<String> known,
      Collection<String> candidates,
      String where) {
    Set<String> unknown = new TreeSet<>();
    for (String key : given) {
      if (!known.test(key)) {
        unknown.add(key);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    StringBuilder m = new StringBuilder("unknown setting");
    String separator = " ";
    for (String key : unknown) {
      m.append(separator).append(key);
      separator = ", ";
      String near = closest(key, candidates);
      if (near != null) {
        m.append(" (did you mean ").append(near).append("?)");
      }
    }
    throw new IllegalArgumentException(
        m.append("; the keys are listed in ").append(where).toString());
  }

  /**
   * {@link #refuseUnknown(Collection, Predicate, Collection, String)} of the keys of {@code p}
   * under {@code prefix}: the others belong to other processes sharing a file or the JVM's
   * properties.
   */
  public static void refuseUnknown(
      Properties p, String prefix, Collection<String> known, String where) {
    refuseUnknown(
        p.stringPropertyNames(),
        key -> !key.startsWith(prefix) || known.contains(key),
        known,
        where);
  }

  /**
   * The known key within a few typing mistakes of {@code key}, or null. A key cut short ({@code
   * mqtt.user} for {@code mqtt.username}) or run on ({@code influx.bucket-name}) counts as one
   * mistake.
   */
  static String closest(String key, Collection<String> candidates) {
    int allowed = Math.max(2, key.length() / 5);
    return candidates.stream()
        .filter(c -> mistakes(key, c) <= allowed)
        .min(Comparator.comparingInt((String c) -> mistakes(key, c)).thenComparing(c -> c))
        .orElse(null);
  }

  private static int mistakes(String key, String candidate) {
    return candidate.startsWith(key) || key.startsWith(candidate)
        ? 1
        : editDistance(key, candidate);
  }

  /** Levenshtein distance: insertions, deletions and substitutions of single characters. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
