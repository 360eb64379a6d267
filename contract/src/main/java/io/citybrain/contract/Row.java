package io.citybrain.contract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of a {@link Measurement}: its time, tags and typed fields, checked against the
 * measurement's columns when built. Writers turn it into their store's form (the InfluxDB client's
 * {@code Point}); nothing here knows a store.
 */
public final class Row {
  private final Measurement measurement;
  private final long timeMs;
  private final Map<String, String> tags;
  private final Map<String, Object> fields;

  private Row(
      Measurement measurement, long timeMs, Map<String, String> tags, Map<String, Object> fields) {
    this.measurement = measurement;
    this.timeMs = timeMs;
    this.tags = Collections.unmodifiableMap(tags);
    this.fields = Collections.unmodifiableMap(fields);
  }

  public Measurement measurement() {
    return measurement;
  }

  /** Epoch milliseconds. */
  public long timeMs() {
    return timeMs;
  }

  public Map<String, String> tags() {
    return tags;
  }

  /** Field name → {@link Double}, {@link Long} or {@link String}, as the column's type says. */
  public Map<String, Object> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return measurement.name() + tags + fields + "@" + timeMs;
  }

  /**
   * Collects a row's values. A null value leaves an optional column out and is refused for a
   * required one; an unknown column or a value of another type is refused at once, naming the
   * measurement and the column.
   */
  public static final class Builder {
    private final Measurement measurement;
    private final long timeMs;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Builder(Measurement measurement, long timeMs) {
      this.measurement = measurement;
      this.timeMs = timeMs;
    }

    public Builder tag(String name, String value) {
      Measurement.Column c = column(name);
      if (!c.tag()) {
        throw refused(name + " is a field, not a tag");
      }
      if (value != null) {
        tags.put(name, value);
      }
      return this;
    }

    public Builder field(String name, Double value) {
      return put(name, Measurement.Type.DOUBLE, value);
    }

    public Builder field(String name, Long value) {
      return put(name, Measurement.Type.LONG, value);
    }

    /** An integer field (a count); kept as a {@link Long}. */
    public Builder field(String name, Integer value) {
      return put(name, Measurement.Type.LONG, value == null ? null : value.longValue());
    }

    public Builder field(String name, String value) {
      return put(name, Measurement.Type.STRING, value);
    }

    private Builder put(String name, Measurement.Type type, Object value) {
      Measurement.Column c = column(name);
      if (c.tag()) {
        throw refused(name + " is a tag, not a field");
      }
      if (c.type() != type) {
        throw refused(name + " is a " + c.type() + " field, not " + type);
      }
      if (value != null) {
        fields.put(name, value);
      }
      return this;
    }

    private Measurement.Column column(String name) {
      return measurement
          .column(name)
          .orElseThrow(
              () ->
                  refused(
                      "no column "
                          + name
                          + " (contract v1: "
                          + measurement.columns().stream().map(Measurement.Column::name).toList()
                          + ")"));
    }

    /** The row, once every required column has its value. */
    public Row build() {
      for (Measurement.Column c : measurement.columns()) {
        if (c.required() && !(c.tag() ? tags : fields).containsKey(c.name())) {
          throw refused((c.tag() ? "tag " : "field ") + c.name() + " is required");
        }
      }
      return new Row(measurement, timeMs, new LinkedHashMap<>(tags), new LinkedHashMap<>(fields));
    }

    private IllegalArgumentException refused(String why) {
      return new IllegalArgumentException("measurement " + measurement.name() + ": " + why);
    }
  }
}
