package io.citybrain.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The tables of the README and the docs, which tests hold the code to. */
public final class MarkdownTables {

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

  private MarkdownTables() {}

  /**
   * The text of {@code file} from the first occurrence of {@code from} up to the first occurrence
   * of {@code to} after it, or to the end when {@code to} is null.
   *
   * @throws AssertionError naming what is missing
   */
  public static String between(Path file, String from, String to) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = text.indexOf(from);
    if (start < 0) {
      throw new AssertionError(file + " has no '" + from + "'");
    }
    int end = to == null ? text.length() : text.indexOf(to, start);
    if (end < 0) {
      throw new AssertionError(file + " has no '" + to + "' after '" + from + "'");
    }
    return text.substring(start, end);
  }

  /** The rows of the first table in {@code text} whose header line starts with {@code header}. */
  public static List<String> rowsAfter(String text, String header) {
    List<String> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : text.lines().toList()) {
      if (!inTable) {
        inTable = line.startsWith(header);
      } else if (!line.startsWith("|")) {
        break;
      } else if (!line.startsWith("|---")) {
        rows.add(line);
      }
    }
    return rows;
  }

  /**
   * The backticked names in the first column of {@code rows}; "`a.b.path`, `.password`" names
   * {@code a.b.path} and {@code a.b.password}: a name starting with a dot shares the previous one's
   * stem.
   */
  public static Set<String> firstColumnKeys(List<String> rows) {
    Set<String> keys = new TreeSet<>();
    for (String row : rows) {
      String stem = null;
      Matcher m = BACKTICKED.matcher(row.split("\\|")[1]);
      while (m.find()) {
        String key = m.group(1).startsWith(".") && stem != null ? stem + m.group(1) : m.group(1);
        stem = key.substring(0, Math.max(0, key.lastIndexOf('.')));
        keys.add(key);
      }
    }
    return keys;
  }
}
