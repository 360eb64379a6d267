package io.citybrain.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One time-series measurement of contract v1: its name, its columns in order (tags, the
 * low-cardinality identifiers; fields, what is measured, each with its type) and its deduplication
 * key. A point's time is its window's end, so the key is the time and the tags (and, for {@code
 * alert}, the alert's id): a replay overwrites instead of adding.
 *
 * <p>Rows are made with {@link #row(long)}, which refuses a column the measurement does not have, a
 * value of another type (InfluxDB refuses a field whose type changes) and a missing required one.
 */
public final class Measurement {

  /**
   * The type of a field, as InfluxDB keeps it (an integer is written with the {@code i} suffix).
   */
  public enum Type {
    DOUBLE,
    LONG,
    STRING
  }

  /** A column: a tag (a string) or a field of its type; {@code required} when every row has it. */
  public record Column(String name, boolean tag, Type type, boolean required) {}

  private final String name;
  private final Map<String, Column> columns;
  private final List<String> keys;

  private Measurement(String name, Map<String, Column> columns, List<String> extraKeys) {
    this.name = name;
    this.columns = columns;
    List<String> k = new ArrayList<>(tags());
    k.addAll(extraKeys);
    this.keys = List.copyOf(k);
  }

  /** Starts a measurement's definition. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** Every column in its order: the tags first, then the fields. */
  public List<Column> columns() {
    return List.copyOf(columns.values());
  }

  public List<String> tags() {
    return columns.values().stream().filter(Column::tag).map(Column::name).toList();
  }

  public List<String> fields() {
    return columns.values().stream().filter(c -> !c.tag()).map(Column::name).toList();
  }

  /** The columns that, with the time, identify a point: the tags, and any field named as a key. */
  public List<String> deduplicationKeys() {
    return keys;
  }

  public Optional<Column> column(String name) {
    return Optional.ofNullable(columns.get(name));
  }

  /** A row of this measurement at {@code timeMs} (epoch milliseconds, the window's end). */
  public Row.Builder row(long timeMs) {
    return new Row.Builder(this, timeMs);
  }

  /** The same columns under another name (a measurement kept at another resolution). */
  public Measurement as(String otherName) {
    return new Measurement(otherName, columns, keys.subList(tags().size(), keys.size()));
  }

  @Override
  public String toString() {
    return name;
  }

  /** Columns in the order they are declared; the store creates them in that order. */
  public static final class Builder {
    private final String name;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final List<String> extraKeys = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    /** A tag every row has. */
    public Builder tag(String column) {
      return add(new Column(column, true, Type.STRING, true));
    }

    /** A tag some rows leave out (InfluxDB has no empty tag). */
    public Builder optionalTag(String column) {
      return add(new Column(column, true, Type.STRING, false));
    }

    /** A field every row has. */
    public Builder field(String column, Type type) {
      return add(new Column(column, false, type, true));
    }

    /** A field some rows leave out (a mean over nothing, a person's note). */
    public Builder optionalField(String column, Type type) {
      return add(new Column(column, false, type, false));
    }

    /** A field that is part of the deduplication key besides the time and the tags. */
    public Builder key(String field) {
      Column c = columns.get(field);
      if (c == null || c.tag()) {
        throw new IllegalArgumentException(name + ": no field " + field + " to make a key");
      }
      extraKeys.add(field);
      return this;
    }

    private Builder add(Column c) {
      if (columns.putIfAbsent(c.name(), c) != null) {
        throw new IllegalArgumentException(name + ": column " + c.name() + " twice");
      }
      return this;
    }

    public Measurement build() {
      return new Measurement(
          name, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns)), extraKeys);
    }
  }
}
