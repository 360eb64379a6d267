package io.citybrain.contract;

import java.util.Optional;

/**
 * A reading's values typed by its device kind: what the jobs take instead of the envelope's map, so
 * that each field of contract v1 is named once, here ({@link DeviceKind} declares its type and
 * range with these names), and not by a string at every use.
 *
 * <p>The bridge has checked every record it wrote against {@link DeviceKind}; a record on a raw
 * topic that did not come through it (another producer, an older bridge) is checked again here, and
 * a field missing or of the wrong type is an {@link IllegalArgumentException} naming it, which the
 * jobs dead-letter as {@code missing-field} instead of failing on it.
 */
public sealed interface Reading {

  String COUNT = "count";
  String INTERVAL_S = "intervalS";
  String SPEED_KMH = "speedKmh";
  String OCCUPANCY = "occupancy";
  String HEADING_DEG = "headingDeg";
  String FLOW_M3H = "flowM3h";
  String PRESSURE_KPA = "pressureKPa";
  String KW = "kW";
  String VOLTAGE_V = "voltageV";
  String PPM = "ppm";
  String ALARM = "alarm";
  String BUILDING_ID = "buildingId";
  String PRESSED = "pressed";
  String DEPTH_CM = "depthCm";
  String TICKET_ID = "ticketId";
  String CATEGORY = "category";
  String STATUS = "status";

  /** traffic/loop: vehicles counted over an interval, their mean speed, the loop's occupancy. */
  record Loop(double count, double intervalS, double speedKmh, double occupancy)
      implements Reading {}

  /** traffic/probe: a vehicle's speed and heading at its position. */
  record Probe(double speedKmh, double headingDeg) implements Reading {}

  /** utility/water. */
  record Water(double flowM3h, double pressureKPa) implements Reading {}

  /** utility/power. */
  record Power(double kW, double voltageV) implements Reading {}

  /** utility/gas. */
  record Gas(double pressureKPa, double ppm) implements Reading {}

  /** emergency/smoke; {@code buildingId} is null when the detector does not send it. */
  record Smoke(boolean alarm, String buildingId) implements Reading {}

  /** emergency/sos. */
  record Sos(boolean pressed) implements Reading {}

  /** emergency/flood. */
  record Flood(double depthCm) implements Reading {}

  /** community/ticket. */
  record Ticket(String ticketId, String category, String status) implements Reading {}

  /**
   * The typed values of {@code e}; empty for a domain and kind outside contract v1.
   *
   * @throws IllegalArgumentException naming the first field that is missing or of the wrong type
   */
  static Optional<Reading> of(Envelope e) {
    // By domain, then kind: no string built per reading on the jobs' hot path.
    Reading r =
        switch (e.domain()) {
          case "traffic" ->
              switch (e.kind()) {
                case "loop" ->
                    new Loop(
                        e.number(COUNT),
                        e.number(INTERVAL_S),
                        e.number(SPEED_KMH),
                        e.number(OCCUPANCY));
                case "probe" -> new Probe(e.number(SPEED_KMH), e.number(HEADING_DEG));
                default -> null;
              };
          case "utility" ->
              switch (e.kind()) {
                case "water" -> new Water(e.number(FLOW_M3H), e.number(PRESSURE_KPA));
                case "power" -> new Power(e.number(KW), e.number(VOLTAGE_V));
                case "gas" -> new Gas(e.number(PRESSURE_KPA), e.number(PPM));
                default -> null;
              };
          case "emergency" ->
              switch (e.kind()) {
                case "smoke" ->
                    new Smoke(
                        bool(e, ALARM), e.values().get(BUILDING_ID) instanceof String b ? b : null);
                case "sos" -> new Sos(bool(e, PRESSED));
                case "flood" -> new Flood(e.number(DEPTH_CM));
                default -> null;
              };
          case "community" ->
              "ticket".equals(e.kind())
                  ? new Ticket(text(e, TICKET_ID), text(e, CATEGORY), text(e, STATUS))
                  : null;
          default -> null;
        };
    return Optional.ofNullable(r);
  }

  private static boolean bool(Envelope e, String field) {
    if (e.values().get(field) instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        e.deviceId() + ": field '" + field + "' is not true or false: " + e.values().get(field));
  }

  private static String text(Envelope e, String field) {
    if (e.values().get(field) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(
        e.deviceId() + ": field '" + field + "' is not a string: " + e.values().get(field));
  }
}
