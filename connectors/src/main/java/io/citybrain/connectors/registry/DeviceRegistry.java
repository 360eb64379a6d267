package io.citybrain.connectors.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The device registry: where each fixed device is and what it belongs to, read from {@code
 * devices.csv} (header {@code id,domain,kind,lat,lon,district,segment,building,zone,community}).
 * The simulators write it; the bridge places devices that send no position from it, and the jobs
 * take a loop detector's segment from it. Immutable and thread-safe once loaded.
 */
public final class DeviceRegistry implements Serializable {

  // Columns by the file's header, so their order may differ; empty cells are absent places, and an
  // empty lat/lon must fail rather than place a device at 0,0.
  private static final CsvMapper CSV =
      CsvMapper.builder()
          .enable(CsvParser.Feature.EMPTY_STRING_AS_NULL)
          .enable(CsvParser.Feature.TRIM_SPACES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();
  private static final CsvSchema WRITE_SCHEMA = CSV.schemaFor(RegisteredDevice.class).withHeader();
  private static final CsvSchema READ_SCHEMA = CsvSchema.emptySchema().withHeader();
  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final DeviceRegistry EMPTY = new DeviceRegistry(Map.of());

  private final Map<String, RegisteredDevice> byId;

  private DeviceRegistry(Map<String, RegisteredDevice> byId) {
    this.byId = Map.copyOf(byId);
  }

  /** No device registered: every device must send its position. */
  public static DeviceRegistry empty() {
    return EMPTY;
  }

  public static DeviceRegistry of(Collection<RegisteredDevice> devices) {
    Map<String, RegisteredDevice> m = new HashMap<>();
    for (RegisteredDevice d : devices) {
      check(d, "device " + d.id());
      if (m.put(d.id(), d) != null) {
        throw new IllegalArgumentException("device " + d.id() + " is registered twice");
      }
    }
    return new DeviceRegistry(m);
  }

  /**
   * Loads the registry named by configuration key {@code key}; a missing, unreadable or malformed
   * file fails naming the key, so that a wrong path stops start-up instead of dead-lettering every
   * reading of the fixed devices.
   */
  public static DeviceRegistry load(String key, Path csv) {
    if (csv == null || !Files.isRegularFile(csv) || !Files.isReadable(csv)) {
      throw new IllegalArgumentException(key + " is not a readable file: " + csv);
    }
    try {
      return read(csv);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** Reads {@code csv}; a bad line fails with the file and line. */
  public static DeviceRegistry read(Path csv) {
    ObjectReader reader = CSV.readerFor(RegisteredDevice.class).with(READ_SCHEMA);
    Map<String, RegisteredDevice> m = new HashMap<>();
    long line = 1; // the header
    try (MappingIterator<RegisteredDevice> it = reader.readValues(csv.toFile())) {
      while (it.hasNextValue()) {
        line++;
        RegisteredDevice d;
        try {
          d = it.nextValue();
        } catch (JsonProcessingException e) {
          long at = e.getLocation() == null ? line : e.getLocation().getLineNr();
          throw new IllegalArgumentException(
              csv + " line " + at + ": " + e.getOriginalMessage(), e);
        }
        check(d, csv + " line " + line);
        if (m.put(d.id(), d) != null) {
          throw new IllegalArgumentException(
              csv + " line " + line + ": device " + d.id() + " is registered twice");
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(csv + " line " + line + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(csv + ": " + e.getMessage(), e);
    }
    return new DeviceRegistry(m);
  }

  /** Writes {@code devices} as {@code devices.csv}, the form {@link #read(Path)} reads. */
  public static void write(Path csv, Iterable<RegisteredDevice> devices) {
    ObjectWriter writer = CSV.writerFor(RegisteredDevice.class).with(WRITE_SCHEMA);
    try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
        var seq = writer.writeValues(w)) {
      for (RegisteredDevice d : devices) {
        seq.write(d);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv, e);
    }
  }

  public Optional<RegisteredDevice> find(String deviceId) {
    return Optional.ofNullable(byId.get(deviceId));
  }

  public int size() {
    return byId.size();
  }

  /** Device id to segment id, for the loop detectors that name one. */
  public Map<String, String> loopSegments() {
    Map<String, String> m = new HashMap<>();
    for (RegisteredDevice d : byId.values()) {
      if ("traffic".equals(d.domain())
          && "loop".equals(d.kind())
          && d.segment() != null
          && !d.segment().isBlank()) {
        m.put(d.id(), d.segment());
      }
    }
    return Map.copyOf(m);
  }

  private static void check(RegisteredDevice d, String where) {
    if (d.id() == null || !DEVICE_ID.matcher(d.id()).matches()) {
      throw new IllegalArgumentException(
          where + ": device id must match " + DEVICE_ID.pattern() + ", got '" + d.id() + "'");
    }
    if (d.domain() == null || d.domain().isBlank() || d.kind() == null || d.kind().isBlank()) {
      throw new IllegalArgumentException(where + ": domain and kind must be set");
    }
    if (!(d.lat() >= -90 && d.lat() <= 90 && d.lon() >= -180 && d.lon() <= 180)) {
      throw new IllegalArgumentException(
          where + ": lat/lon out of WGS84 range: " + d.lat() + "," + d.lon());
    }
  }
}
