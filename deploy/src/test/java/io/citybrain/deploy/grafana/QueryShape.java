package io.citybrain.deploy.grafana;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an InfluxQL dashboard query must return, read from its outermost statement: a SELECT gives
 * {@code time} and one column per expression, each named by its {@code AS "alias"} (the dashboards
 * alias every expression, so that legends and table headers do not depend on InfluxDB's naming),
 * and one series per combination of the tags of its {@code GROUP BY}; {@code SHOW TAG VALUES} gives
 * {@code key} and {@code value}.
 *
 * @param columns the columns every series must have, in order
 * @param groupByTags the tags every series must carry
 */
record QueryShape(List<String> columns, List<String> groupByTags) {

  private static final Pattern ALIAS =
      Pattern.compile("\\bAS\\s+\"([^\"]+)\"\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

  static QueryShape of(String query) {
    String q = query.trim();
    String upper = q.toUpperCase(Locale.ROOT);
    if (upper.startsWith("SHOW TAG VALUES")) {
      return new QueryShape(List.of("key", "value"), List.of());
    }
    if (!upper.startsWith("SELECT ")) {
      throw new IllegalArgumentException("not a SELECT or SHOW TAG VALUES: " + query);
    }
    int from = topLevel(q, " FROM ", 0);
    if (from < 0) {
      throw new IllegalArgumentException("no FROM: " + query);
    }
    List<String> columns = new ArrayList<>();
    columns.add("time");
    for (String expression : splitTopLevel(q.substring("SELECT ".length(), from))) {
      Matcher m = ALIAS.matcher(expression);
      if (!m.find()) {
        throw new IllegalArgumentException(
            "every selected expression needs AS \"name\"; this one has none: '"
                + expression.trim()
                + "' in "
                + query);
      }
      columns.add(m.group(1));
    }
    List<String> tags = new ArrayList<>();
    int groupBy = lastTopLevel(q, " GROUP BY ");
    if (groupBy > 0) {
      String clause = q.substring(groupBy + " GROUP BY ".length());
      for (String stop :
          new String[] {" fill(", " ORDER BY ", " LIMIT ", " SLIMIT ", " OFFSET ", " tz("}) {
        int i = clause.toUpperCase(Locale.ROOT).indexOf(stop.toUpperCase(Locale.ROOT));
        if (i >= 0) {
          clause = clause.substring(0, i);
        }
      }
      for (String part : splitTopLevel(clause)) {
        Matcher m = QUOTED.matcher(part.trim());
        if (m.matches()) {
          tags.add(m.group(1));
        } else if (!part.trim().startsWith("time(")) {
          throw new IllegalArgumentException(
              "GROUP BY tags must be quoted: '" + part.trim() + "' in " + query);
        }
      }
    }
    return new QueryShape(List.copyOf(columns), List.copyOf(tags));
  }

  /** The first index of {@code token} outside parentheses, quotes and regex literals, or -1. */
  private static int topLevel(String q, String token, int start) {
    int depth = 0;
    char quote = 0;
    String upper = q.toUpperCase(Locale.ROOT);
    for (int i = start; i < q.length(); i++) {
      char c = q.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'' || (c == '/' && isRegexStart(q, i))) {
        quote = c;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (depth == 0 && upper.startsWith(token, i)) {
        return i;
      }
    }
    return -1;
  }

  /** A slash after {@code =~} or {@code !~} opens a regex literal; any other is a division. */
  private static boolean isRegexStart(String q, int slash) {
    String before = q.substring(0, slash).stripTrailing();
    return before.endsWith("=~") || before.endsWith("!~");
  }

  private static int lastTopLevel(String q, String token) {
    int found = -1;
    for (int i = topLevel(q, token, 0); i >= 0; i = topLevel(q, token, i + 1)) {
      found = i;
    }
    return found;
  }

  /** Splits at commas outside parentheses and quotes. */
  private static List<String> splitTopLevel(String list) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < list.length(); i++) {
      char c = list.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(list.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(list.substring(start));
    return parts;
  }
}
