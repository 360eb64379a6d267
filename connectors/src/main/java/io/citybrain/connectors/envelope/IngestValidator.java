package io.citybrain.connectors.envelope;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.contract.Ack;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Json;
import io.citybrain.contract.Reason;
import io.citybrain.users.Account;
import io.citybrain.users.UsersFile;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns one MQTT message into a reading, an acknowledgement or a dead letter, per contract v1. Pure
 * and thread-safe: no I/O (the device registry is loaded before), the clock is passed in.
 */
public final class IngestValidator {

  /** The contract's payload limit. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  /**
   * How far in the future an observation may be stamped: device clocks drift, but a reading from
   * the future beyond this is a broken clock, and would also distort event-time windows.
   */
  public static final long MAX_CLOCK_SKEW_MS = 5 * 60_000L;

  /**
   * How old an observation may be when it reaches the bridge by default ({@code
   * bridge.max-reading-age}). The jobs can still use a reading only while its window is open: the
   * longest window is the utility job's hour, plus the allowed lateness (60 s by default); anything
   * older is {@code late} in every job and can only mislead (an SOS pressed days ago raises an
   * alert now). Two hours keeps that hour with a margin for a device that buffers through a short
   * outage. The dead letter keeps such a reading's bytes.
   */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(2);

  /**
   * A maximum age meaning "no age limit": for a bridge that replays recorded history (a recording,
   * a test's fixed instants), whose readings are old by design. The other timestamp rules still
   * apply.
   */
  public static final Duration NO_AGE_LIMIT = Duration.ZERO;

  /**
   * 2000-01-01T00:00:00Z: no device of the city has a clock before it; earlier is an unset clock.
   */
  public static final long EARLIEST_TS_MS = 946_684_800_000L;

  /**
   * The longest free text of a reading (a ticket's category), in Unicode code points: JSON Schema's
   * {@code maxLength} counts those, so a vendor's validator and the bridge agree on Chinese and
   * emoji text alike.
   */
  public static final int MAX_TEXT_CODE_POINTS = 256;

  public static final String STAGE = "bridge";

  /** The device id of a topic {@code city/<domain>/<kind>/<deviceId>}. */
  public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The payload fields that carry ids ({@link #PAYLOAD_ID}), not free text. */
  public static final List<String> ID_FIELDS = List.of("buildingId", "ticketId");

  /** The statuses a {@code community/ticket} reading may report. */
  public static final List<String> TICKET_STATUSES = List.of("opened", "assigned", "resolved");

  /**
   * Building and ticket ids in a payload. They key incidents and end up in alert ids, MQTT topics'
   * neighbours and alert messages that a console renders: no markup, no spaces, no control
   * characters. The device id's set plus {@code :} (OpenStreetMap-style {@code way:123}).
   */
  public static final Pattern PAYLOAD_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final DeviceRegistry registry;

  /** Older observations are {@code stale-timestamp}; 0 for no limit. */
  private final long maxAgeMs;

  /** The people who may acknowledge; null in an open city. */
  /** The users file in force at an instant (epoch ms); null without one. */
  private final java.util.function.LongFunction<UsersFile> users;

  /**
   * A validator without a registry (every device must send its position), {@link #DEFAULT_MAX_AGE}.
   */
  public IngestValidator() {
    this(DeviceRegistry.empty());
  }

  /**
   * Fixed devices that send no position are placed from {@code registry}; {@link #DEFAULT_MAX_AGE}.
   */
  public IngestValidator(DeviceRegistry registry) {
    this(registry, DEFAULT_MAX_AGE);
  }

  /**
   * @param registry places fixed devices that send no position
   * @param maxAge observations older than this at arrival are {@code stale-timestamp}; {@link
   *     #NO_AGE_LIMIT} (zero) turns only this rule off, for replaying recorded history
   */
  public IngestValidator(DeviceRegistry registry, Duration maxAge) {
    this(registry, maxAge, (UsersFile) null);
  }

  /**
   * @param users the users file; with it an acknowledgement is taken only on {@code
   *     city/ack/<alertId>/<username>} from a person of the file (operator, officer, manager) and
   *     carries their role and scope; null for an open city
   */
  public IngestValidator(DeviceRegistry registry, Duration maxAge, UsersFile users) {
    this(registry, maxAge, users == null ? null : now -> users);
  }

  /**
   * As above, with the users file as it is when each acknowledgement arrives ({@link
   * io.citybrain.users.UsersFileWatch}).
   */
  public IngestValidator(
      DeviceRegistry registry, Duration maxAge, io.citybrain.users.UsersFileWatch users) {
    this(registry, maxAge, users == null ? null : users::current);
  }

  private IngestValidator(
      DeviceRegistry registry, Duration maxAge, java.util.function.LongFunction<UsersFile> users) {
    this.users = users;
    this.registry = Objects.requireNonNull(registry, "registry");
    if (maxAge == null || maxAge.isNegative() || !maxAge.isZero() && maxAge.toMillis() == 0) {
      throw new IllegalArgumentException(
          "the maximum reading age must be zero (no limit) or positive, got " + maxAge);
    }
    this.maxAgeMs = maxAge.toMillis();
  }

  /** The bound of {@code stale-timestamp}; {@link #NO_AGE_LIMIT} when there is none. */
  public Duration maxAge() {
    return Duration.ofMillis(maxAgeMs);
  }

  /**
   * The Kafka key of whatever a message on {@code topic} becomes, its dead letter included: an
   * acknowledgement (either form) by its alert id, so that one alert's actions stay in order; a
   * reading by its device id; anything else by its topic.
   */
  public static String keyOf(String topic) {
    return keyOf(topic, topic.split("/", -1));
  }

  private static String keyOf(String topic, String[] levels) {
    if ((levels.length == 3 || levels.length == 4)
        && levels[0].equals("city")
        && levels[1].equals("ack")) {
      return levels[2];
    }
    return levels.length == 4 ? levels[3] : topic;
  }

  /** Validates {@code payload} received on MQTT {@code topic} at {@code receivedAt} (epoch ms). */
  public IngestResult validate(String topic, byte[] payload, long receivedAt) {
    String[] levels = topic.split("/", -1);
    String key = keyOf(topic, levels);
    if (levels.length >= 2 && levels[0].equals("city") && levels[1].equals("alerts")) {
      return new IngestResult.Reserved(topic);
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      return reject(
          Reason.TOO_LARGE,
          payload.length + " bytes, the limit is " + MAX_PAYLOAD_BYTES,
          topic,
          key,
          payload,
          receivedAt);
    }
    if (levels.length == 3 && levels[0].equals("city") && levels[1].equals("ack")) {
      return acknowledgement(topic, levels[2], null, payload, receivedAt);
    }
    if (levels.length == 4 && levels[0].equals("city") && levels[1].equals("ack")) {
      return acknowledgement(topic, levels[2], levels[3], payload, receivedAt);
    }
    if (levels.length != 4 || !levels[0].equals("city")) {
      return reject(
          Reason.BAD_TOPIC,
          "expected city/<domain>/<kind>/<deviceId>",
          topic,
          key,
          payload,
          receivedAt);
    }
    String domain = levels[1];
    String kindName = levels[2];
    String deviceId = levels[3];
    if (!DEVICE_ID.matcher(deviceId).matches()) {
      return reject(
          Reason.BAD_DEVICE_ID,
          "device id must match " + DEVICE_ID.pattern(),
          topic,
          key,
          payload,
          receivedAt);
    }
    DeviceKind kind = DeviceKind.of(domain, kindName).orElse(null);
    if (kind == null) {
      return reject(
          Reason.UNKNOWN_KIND,
          "no device kind " + domain + "/" + kindName + " in contract v1",
          topic,
          key,
          payload,
          receivedAt);
    }
    JsonNode root;
    try {
      root = parse(payload);
    } catch (CharacterCodingException e) {
      return reject(Reason.NOT_UTF8, "payload is not valid UTF-8", topic, key, payload, receivedAt);
    } catch (JacksonException e) {
      return reject(Reason.NOT_JSON, e.getOriginalMessage(), topic, key, payload, receivedAt);
    }
    if (root == null || !root.isObject()) {
      return reject(
          Reason.NOT_OBJECT, "payload must be one JSON object", topic, key, payload, receivedAt);
    }
    if (!root.has("ts")) {
      return reject(Reason.MISSING_FIELD, "missing field 'ts'", topic, key, payload, receivedAt);
    }
    Long ts = timestamp(root.get("ts"));
    if (ts == null) {
      return reject(Reason.BAD_TIMESTAMP, BAD_TS, topic, key, payload, receivedAt);
    }
    IngestResult badTime = checkTime(ts, root.get("ts"), topic, key, payload, receivedAt);
    if (badTime != null) {
      return badTime;
    }
    RegisteredDevice known = registry.find(deviceId).orElse(null);
    if (known != null && (!known.domain().equals(domain) || !known.kind().equals(kindName))) {
      return reject(
          Reason.WRONG_KIND,
          "device "
              + deviceId
              + " is registered as "
              + known.domain()
              + "/"
              + known.kind()
              + ", not "
              + domain
              + "/"
              + kindName,
          topic,
          key,
          payload,
          receivedAt);
    }
    JsonNode latNode = root.get("lat");
    JsonNode lonNode = root.get("lon");
    Double lat = null;
    Double lon = null;
    if (latNode != null || lonNode != null) {
      if (latNode == null || lonNode == null || !latNode.isNumber() || !lonNode.isNumber()) {
        return reject(
            Reason.BAD_POSITION,
            "lat and lon must both be numbers",
            topic,
            key,
            payload,
            receivedAt);
      }
      lat = latNode.doubleValue();
      lon = lonNode.doubleValue();
      if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
        return reject(
            Reason.BAD_POSITION,
            "lat/lon out of WGS84 range: " + lat + "," + lon,
            topic,
            key,
            payload,
            receivedAt);
      }
    } else if (kind.moving()) {
      return reject(
          Reason.MISSING_POSITION,
          "moving devices must send lat and lon",
          topic,
          key,
          payload,
          receivedAt);
    } else if (known == null) {
      return reject(
          Reason.MISSING_POSITION,
          "no position sent and the device is not registered",
          topic,
          key,
          payload,
          receivedAt);
    }
    if (known != null && !kind.moving()) {
      // A fixed device is where it was installed: the registry wins over whatever position it
      // sends, so a device (or whoever holds its account) cannot move its readings elsewhere.
      lat = known.lat();
      lon = known.lon();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (DeviceKind.Field f : kind.fields()) {
      JsonNode v = root.get(f.name());
      if (v == null || v.isNull()) {
        if (f.required()) {
          return reject(
              Reason.MISSING_FIELD,
              "missing field '" + f.name() + "'",
              topic,
              key,
              payload,
              receivedAt);
        }
        continue;
      }
      String problem = check(f, v);
      if (problem != null) {
        return reject(
            Reason.BAD_FIELD,
            "field '" + f.name() + "' " + problem,
            topic,
            key,
            payload,
            receivedAt);
      }
      values.put(
          f.name(),
          switch (f.type()) {
            case NUMBER -> v.doubleValue();
            case BOOLEAN -> v.booleanValue();
            case STRING -> v.textValue();
          });
    }
    if (known != null && known.building() != null && values.containsKey("buildingId")) {
      // The building it was installed in, not the one it names: incidents are keyed by building.
      values.put("buildingId", known.building());
    }
    for (String idField : ID_FIELDS) {
      if (values.get(idField) instanceof String id && !PAYLOAD_ID.matcher(id).matches()) {
        return reject(
            Reason.BAD_ID,
            "field '" + idField + "' must match " + PAYLOAD_ID.pattern(),
            topic,
            key,
            payload,
            receivedAt);
      }
    }
    if (kind.domain().equals("community") && !TICKET_STATUSES.contains(values.get("status"))) {
      return reject(
          Reason.BAD_FIELD,
          "field 'status' must be opened, assigned or resolved",
          topic,
          key,
          payload,
          receivedAt);
    }
    return new IngestResult.Reading(
        new Envelope(deviceId, domain, kindName, ts, lat, lon, values, receivedAt, "mqtt"));
  }

  /**
   * Contract v1's {@code city/ack/<alertId>} ({@code user} null: {@code by} is the payload's
   * claim), or {@code city/ack/<alertId>/<username>} (issue 20): the broker lets a person publish
   * only under their own name, so the topic says who acknowledged, and a {@code by} in the payload
   * is not read. With a users file, only the second form from a person of the file is taken.
   */
  private IngestResult acknowledgement(
      String topic, String alertId, String user, byte[] payload, long receivedAt) {
    JsonNode root;
    try {
      root = parse(payload);
    } catch (CharacterCodingException e) {
      return reject(
          Reason.NOT_UTF8, "payload is not valid UTF-8", topic, alertId, payload, receivedAt);
    } catch (JacksonException e) {
      return reject(Reason.NOT_JSON, e.getOriginalMessage(), topic, alertId, payload, receivedAt);
    }
    if (user != null && !DEVICE_ID.matcher(user).matches()) {
      return reject(
          Reason.BAD_TOPIC,
          "the user name of city/ack/<alertId>/<username> must match " + DEVICE_ID.pattern(),
          topic,
          alertId,
          payload,
          receivedAt);
    }
    boolean claimed = user == null;
    if (alertId.isEmpty()
        || root == null
        || !root.isObject()
        || claimed && (!root.path("by").isTextual() || root.path("by").asText().isBlank())) {
      return reject(
          Reason.MISSING_FIELD,
          "an acknowledgement needs an alert id in the topic and 'by' (or its user name in the "
              + "topic: city/ack/<alertId>/<username>)",
          topic,
          alertId,
          payload,
          receivedAt);
    }
    String note = null;
    if (root.has("note")) {
      JsonNode n = root.get("note");
      if (!n.isTextual()
          || n.textValue().codePointCount(0, n.textValue().length()) > MAX_TEXT_CODE_POINTS) {
        return reject(
            Reason.BAD_FIELD,
            "field 'note' must be a string of at most " + MAX_TEXT_CODE_POINTS + " characters",
            topic,
            alertId,
            payload,
            receivedAt);
      }
      note = n.textValue().isBlank() ? null : n.textValue();
    }
    String action = null;
    if (root.has("action")) {
      JsonNode a = root.get("action");
      if (!a.isTextual() || !Ack.ACTIONS.contains(a.textValue())) {
        return reject(
            Reason.BAD_FIELD,
            "field 'action' must be one of " + String.join(", ", Ack.ACTIONS),
            topic,
            alertId,
            payload,
            receivedAt);
      }
      action = a.textValue().equals(Ack.ACKNOWLEDGE) ? null : a.textValue();
    }
    if ((Ack.RESOLVE.equals(action) || Ack.COMMENT.equals(action)) && note == null) {
      return reject(
          Reason.MISSING_FIELD,
          "a " + action + " needs its text in 'note' (the reason, the comment)",
          topic,
          alertId,
          payload,
          receivedAt);
    }
    String assignee = null;
    if (Ack.ASSIGN.equals(action)) {
      JsonNode a = root.path("assignee");
      if (!a.isTextual() || !DEVICE_ID.matcher(a.textValue()).matches()) {
        return reject(
            Reason.MISSING_FIELD,
            "an assign needs 'assignee', a user name matching " + DEVICE_ID.pattern(),
            topic,
            alertId,
            payload,
            receivedAt);
      }
      assignee = a.textValue();
    }
    Long ts = root.has("ts") ? timestamp(root.get("ts")) : Long.valueOf(receivedAt);
    if (ts == null) {
      return reject(Reason.BAD_TIMESTAMP, BAD_TS, topic, alertId, payload, receivedAt);
    }
    if (root.has("ts")) {
      IngestResult badTime = checkTime(ts, root.get("ts"), topic, alertId, payload, receivedAt);
      if (badTime != null) {
        return badTime;
      }
    }
    if (users == null) {
      return new IngestResult.Acknowledgement(
          new Ack(
              alertId,
              claimed ? root.get("by").asText() : user,
              ts,
              null,
              null,
              note,
              action,
              assignee));
    }
    if (claimed) {
      return reject(
          Reason.ACK_REFUSED,
          "this city has accounts: an acknowledgement names its user in the topic, "
              + "city/ack/<alertId>/<username>, where the broker lets only that user publish",
          topic,
          alertId,
          payload,
          receivedAt);
    }
    Account a = users.apply(receivedAt).account(user).orElse(null);
    if (a == null || !a.role().person()) {
      return reject(
          Reason.ACK_REFUSED,
          "'" + user + "' is not an operator, officer or manager of the users file",
          topic,
          alertId,
          payload,
          receivedAt);
    }
    return new IngestResult.Acknowledgement(
        new Ack(
            alertId,
            user,
            ts,
            a.role().id(),
            a.scope().isEmpty() ? null : a.scope(),
            note,
            action,
            assignee));
  }

  private static String check(DeviceKind.Field f, JsonNode v) {
    return switch (f.type()) {
      case NUMBER -> {
        if (!v.isNumber()) {
          yield "must be a number";
        }
        double d = v.doubleValue();
        yield d >= f.min() && d <= f.max()
            ? null
            : "is out of range [" + f.min() + ", " + f.max() + "]: " + d;
      }
      case BOOLEAN -> v.isBoolean() ? null : "must be true or false";
      case STRING ->
          v.isTextual()
                  && v.textValue().codePointCount(0, v.textValue().length()) <= MAX_TEXT_CODE_POINTS
              ? null
              : "must be a string of at most " + MAX_TEXT_CODE_POINTS + " characters";
    };
  }

  private static final String BAD_TS =
      "ts must be integral epoch milliseconds (within a long) or ISO-8601 with an offset";

  /**
   * The rules every observation time obeys, readings and acknowledgements alike, in this order: a
   * number from 2000-01-01 up to the bridge clock read as <em>seconds</em> is {@code
   * timestamp-in-seconds} (as milliseconds it would be January 1970, so no real reading is lost to
   * this); before 2000 is {@code timestamp-before-2000}; more than {@link #MAX_CLOCK_SKEW_MS} ahead
   * is {@code future-timestamp}; more than the maximum age behind is {@code stale-timestamp}
   * (unless the age limit is off). Returns null when the time is usable.
   */
  private IngestResult checkTime(
      long ts, JsonNode raw, String topic, String key, byte[] payload, long receivedAt) {
    if (raw.isNumber()
        && ts >= EARLIEST_TS_MS / 1000
        && ts <= (receivedAt + MAX_CLOCK_SKEW_MS) / 1000) {
      return reject(
          Reason.TIMESTAMP_IN_SECONDS,
          "ts " + ts + " is epoch seconds; contract v1 wants milliseconds",
          topic,
          key,
          payload,
          receivedAt);
    }
    if (ts < EARLIEST_TS_MS) {
      return reject(
          Reason.TIMESTAMP_BEFORE_2000,
          "ts " + ts + " is before 2000-01-01T00:00Z",
          topic,
          key,
          payload,
          receivedAt);
    }
    if (ts > receivedAt + MAX_CLOCK_SKEW_MS) {
      return reject(
          Reason.FUTURE_TIMESTAMP,
          "ts is " + (ts - receivedAt) + " ms ahead of the bridge clock",
          topic,
          key,
          payload,
          receivedAt);
    }
    if (maxAgeMs > 0 && ts < receivedAt - maxAgeMs) {
      return reject(
          Reason.STALE_TIMESTAMP,
          "ts is "
              + (receivedAt - ts)
              + " ms behind the bridge clock, the limit is "
              + maxAgeMs
              + " ms (bridge.max-reading-age)",
          topic,
          key,
          payload,
          receivedAt);
    }
    return null;
  }

  /**
   * Epoch milliseconds from an integral number within a long or an ISO-8601 string with an offset;
   * null for anything else (a fraction, an overflow, a date beyond a long's milliseconds). A number
   * written with a zero fraction ({@code 1767600000000.0}, as some JSON encoders write whole
   * doubles) is integral: JSON Schema's {@code integer} says so too.
   */
  static Long timestamp(JsonNode ts) {
    if (ts == null) {
      return null;
    }
    if (ts.isIntegralNumber()) {
      return ts.canConvertToLong() ? Long.valueOf(ts.longValue()) : null;
    }
    if (ts.isNumber()) {
      // A literal beyond a double (1e999999999) parses as infinity, which has no decimal value.
      if ((ts.isDouble() || ts.isFloat()) && !Double.isFinite(ts.doubleValue())) {
        return null;
      }
      java.math.BigDecimal d = ts.decimalValue().stripTrailingZeros();
      try {
        return d.scale() <= 0 ? Long.valueOf(d.longValueExact()) : null;
      } catch (ArithmeticException e) {
        return null;
      }
    }
    if (ts.isTextual()) {
      try {
        return OffsetDateTime.parse(ts.textValue()).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  private static JsonNode parse(byte[] payload) throws CharacterCodingException, JacksonException {
    // Decode strictly first: Jackson would replace malformed UTF-8 rather than refuse it.
    String text =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(payload))
            .toString();
    return Json.MAPPER.readTree(text);
  }

  private static IngestResult reject(
      Reason reason, String detail, String topic, String key, byte[] payload, long time) {
    return new IngestResult.Rejected(
        DeadLetter.of(reason, detail, topic, key, payload, time, STAGE));
  }
}
