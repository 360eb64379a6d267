package io.citybrain.contract;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The device kinds of contract v1 and the fields each must send, by the names {@link Reading} gives
 * them. A kind not listed here is unknown input and goes to the dead-letter topic.
 *
 * @param moving moving devices must send their position; fixed ones may leave it to the registry
 */
public record DeviceKind(String domain, String kind, boolean moving, List<Field> fields) {

  /** A field of a reading, with its type and its plausible range (inclusive). */
  public record Field(String name, Type type, double min, double max, boolean required) {
    static Field number(String name, double min, double max) {
      return new Field(name, Type.NUMBER, min, max, true);
    }

    static Field flag(String name) {
      return new Field(name, Type.BOOLEAN, 0, 0, true);
    }

    static Field text(String name, boolean required) {
      return new Field(name, Type.STRING, 0, 0, required);
    }
  }

  public enum Type {
    NUMBER,
    BOOLEAN,
    STRING
  }

  private static final List<DeviceKind> ALL =
      List.of(
          new DeviceKind(
              "traffic",
              "loop",
              false,
              List.of(
                  Field.number(Reading.COUNT, 0, 100_000),
                      Field.number(Reading.INTERVAL_S, 1, 86_400),
                  Field.number(Reading.SPEED_KMH, 0, 250), Field.number(Reading.OCCUPANCY, 0, 1))),
          new DeviceKind(
              "traffic",
              "probe",
              true,
              List.of(
                  Field.number(Reading.SPEED_KMH, 0, 250),
                  Field.number(Reading.HEADING_DEG, 0, 360))),
          new DeviceKind(
              "utility",
              "water",
              false,
              List.of(
                  Field.number(Reading.FLOW_M3H, 0, 100_000),
                  Field.number(Reading.PRESSURE_KPA, 0, 10_000))),
          new DeviceKind(
              "utility",
              "power",
              false,
              List.of(
                  Field.number(Reading.KW, -100_000, 100_000),
                  Field.number(Reading.VOLTAGE_V, 0, 1_000_000))),
          new DeviceKind(
              "utility",
              "gas",
              false,
              List.of(
                  Field.number(Reading.PRESSURE_KPA, 0, 10_000),
                  Field.number(Reading.PPM, 0, 1_000_000))),
          new DeviceKind(
              "emergency",
              "smoke",
              false,
              List.of(Field.flag(Reading.ALARM), Field.text(Reading.BUILDING_ID, false))),
          // Wearables send their position; a wall-mounted panic button's comes from the registry.
          new DeviceKind("emergency", "sos", false, List.of(Field.flag(Reading.PRESSED))),
          new DeviceKind(
              "emergency", "flood", false, List.of(Field.number(Reading.DEPTH_CM, 0, 10_000))),
          new DeviceKind(
              "community",
              "ticket",
              false,
              List.of(
                  Field.text(Reading.TICKET_ID, true),
                  Field.text(Reading.CATEGORY, true),
                  Field.text(Reading.STATUS, true))));

  private static final Map<String, DeviceKind> BY_NAME = index();

  private static Map<String, DeviceKind> index() {
    Map<String, DeviceKind> m = new java.util.HashMap<>();
    for (DeviceKind k : ALL) {
      m.put(k.domain() + "/" + k.kind(), k);
    }
    return Map.copyOf(m);
  }

  public static Optional<DeviceKind> of(String domain, String kind) {
    return Optional.ofNullable(BY_NAME.get(domain + "/" + kind));
  }

  public static List<DeviceKind> all() {
    return ALL;
  }
}
