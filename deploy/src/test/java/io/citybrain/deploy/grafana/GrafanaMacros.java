package io.citybrain.deploy.grafana;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces Grafana's macros and template variables in an InfluxQL query the way Grafana's InfluxDB
 * data source does before it sends the query:
 *
 * <ul>
 *   <li>{@code $timeFilter}: {@code time >= <from>ms and time <= <to>ms} for an absolute range;
 *   <li>{@code $__interval} / {@code $__interval_ms}: the range divided by the panel's data points,
 *       rounded to Grafana's steps, and never below the panel's (else the data source's) minimum
 *       interval;
 *   <li>{@code $var}, {@code ${var}}, {@code [[var]]}: for a multi-value or "All" variable the
 *       regex-escaped values as {@code (a|b)}, or the variable's custom all-value as is.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class GrafanaMacros {

  /** Grafana's default when a panel sets no max data points: roughly its width in pixels. */
  static final int MAX_DATA_POINTS = 1000;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  /**
   * Grafana's interval rounding (rangeutil.roundInterval): upper bound of the raw interval → step.
   */
  private static final long[][] STEPS = {
    {15, 10},
    {35, 20},
    {75, 50},
    {150, 100},
    {350, 200},
    {750, 500},
    {1_500, 1_000},
    {3_500, 2_000},
    {7_500, 5_000},
    {12_500, 10_000},
    {17_500, 15_000},
    {25_000, 20_000},
    {45_000, 30_000},
    {90_000, 60_000},
    {210_000, 120_000},
    {450_000, 300_000},
    {750_000, 600_000},
    {1_050_000, 900_000},
    {1_500_000, 1_200_000},
    {2_700_000, 1_800_000},
    {5_400_000, 3_600_000},
    {9_000_000, 7_200_000},
    {16_200_000, 10_800_000},
    {24_300_000, 21_600_000},
    {64_800_000, 43_200_000},
    {604_800_000, 86_400_000}
  };

  private GrafanaMacros() {}

  /** How the dashboard's variables are set for one run of its queries. */
  record Selection(Map<String, List<String>> values, Map<String, String> allValues) {}

  static String interpolate(
      String query, Instant from, Instant to, String minInterval, Selection selection) {
    long intervalMs = intervalMs(Duration.between(from, to), minInterval);
    String q =
        query
            .replace(
                "$timeFilter",
                "time >= " + from.toEpochMilli() + "ms and time <= " + to.toEpochMilli() + "ms")
            .replace("$__interval_ms", Long.toString(intervalMs))
            .replace("$__interval", format(intervalMs));
    // Longest names first, so that $zone does not eat the start of $zones.
    List<String> names =
        selection.values().keySet().stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    for (String name : names) {
      String value = value(selection, name);
      q =
          q.replace("${" + name + "}", value)
              .replace("[[" + name + "]]", value)
              .replace("$" + name, value);
    }
    return q;
  }

  private static String value(Selection selection, String name) {
    String all = selection.allValues().get(name);
    if (all != null) {
      return all;
    }
    List<String> values = selection.values().get(name);
    if (values.size() == 1) {
      return regexEscape(values.get(0));
    }
    return "(" + String.join("|", values.stream().map(GrafanaMacros::regexEscape).toList()) + ")";
  }

  /** Grafana's kbn.regexEscape: also escapes {@code /}, which ends an InfluxQL regex literal. */
  static String regexEscape(String value) {
    return value.replaceAll("[\\\\^$*+?.()|{}\\[\\]/]", "\\\\$0");
  }

  static long intervalMs(Duration range, String minInterval) {
    long raw = range.toMillis() / MAX_DATA_POINTS;
    long rounded = round(raw);
    return minInterval == null ? rounded : Math.max(rounded, parse(minInterval));
  }

  static long round(long rawMs) {
    if (rawMs <= 10) {
      return 1;
    }
    for (long[] step : STEPS) {
      if (rawMs <= step[0]) {
        return step[1];
      }
    }
    return rawMs < 3_628_800_000L ? 604_800_000L : 31_536_000_000L;
  }

  static long parse(String duration) {
    Matcher m = DURATION.matcher(duration.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a Grafana interval: '" + duration + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1_000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      case "d" -> n * 86_400_000;
      default -> n * 604_800_000;
    };
  }

  /** As InfluxQL reads a duration literal: the largest whole unit. */
  static String format(long ms) {
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
