package io.citybrain.connectors.contract;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Reason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON Schemas (draft-07: what AsyncAPI 3.0 documents and most validators take) of contract
 * v1's payloads, built from the definitions the bridge and the jobs use ({@link DeviceKind}, {@link
 * Reason}, the alert's constants), so that they cannot drift apart. {@code docs/contract/schemas/}
 * holds them as files for device vendors and app builders; {@code ContractSchemasTest} fails when a
 * file differs from what this class builds, and checks the bridge against them over the whole
 * bad-input corpus.
 *
 * <p>What a schema cannot say is in each schema's description and in docs/contract.md: the bridge's
 * clock rules (at most 5 minutes ahead, at most {@code bridge.max-reading-age} behind), the 64 KiB
 * limit, the device registry (a fixed device without a position must be registered; a registered
 * device speaks only as its kind), and that a date must exist (30 February matches the pattern).
 */
public final class ContractSchemas {
  private ContractSchemas() {}

  public static final String DIALECT = "http://json-schema.org/draft-07/schema#";
  public static final String ID_PREFIX = "https://citybrain.io/contract/v1/";
  public static final String ACKNOWLEDGEMENT = "acknowledgement.schema.json";
  public static final String ALERT = "alert.schema.json";
  public static final String DEAD_LETTER = "dead-letter.schema.json";
  public static final String ENVELOPE = "envelope.schema.json";
  public static final String ACK_RECORD = "ack-record.schema.json";

  /** Addition to v1 (issue 20): the acknowledgement whose topic names its user. */
  public static final String ACKNOWLEDGEMENT_BY_USER = "acknowledgement-by-user.schema.json";

  /**
   * ISO-8601 with an offset in the shape most clients write (RFC 3339 with optional seconds), year
   * 2000 or later. The bridge also reads a few rarer spellings it has always read (a lower-case
   * {@code t}, an hour-only offset {@code +08}); the schema, which is the contract, does not
   * promise them.
   */
  public static final String ISO_TS_PATTERN =
      "^[2-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
          + "T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?"
          + "(Z|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))$";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** File name of the schema of each reading: {@code reading.<domain>.<kind>.schema.json}. */
  public static String readingFile(String domain, String kind) {
    return "reading." + domain + "." + kind + ".schema.json";
  }

  /**
   * The schema an MQTT message on {@code topic} must satisfy: a reading's for {@code
   * city/<domain>/<kind>/<deviceId>} of a known kind, the acknowledgement's for {@code
   * city/ack/<alertId>}, the named one's for {@code city/ack/<alertId>/<username>}; empty for any
   * other topic (refused for its topic alone).
   */
  public static Optional<String> forMqttTopic(String topic) {
    String[] levels = topic.split("/", -1);
    if (levels.length == 3
        && levels[0].equals("city")
        && levels[1].equals("ack")
        && !levels[2].isEmpty()) {
      return Optional.of(ACKNOWLEDGEMENT);
    }
    if (levels.length == 4 && levels[0].equals("city") && levels[1].equals("ack")) {
      return !levels[2].isEmpty() && IngestValidator.DEVICE_ID.matcher(levels[3]).matches()
          ? Optional.of(ACKNOWLEDGEMENT_BY_USER)
          : Optional.empty();
    }
    if (levels.length == 4 && levels[0].equals("city")) {
      return DeviceKind.of(levels[1], levels[2]).map(k -> readingFile(k.domain(), k.kind()));
    }
    return Optional.empty();
  }

  /** Every schema of the contract by file name, in file-name order. */
  public static Map<String, ObjectNode> all() {
    Map<String, ObjectNode> out = new TreeMap<>();
    for (DeviceKind k : DeviceKind.all()) {
      out.put(readingFile(k.domain(), k.kind()), reading(k));
    }
    out.put(ACKNOWLEDGEMENT, acknowledgement());
    out.put(ACKNOWLEDGEMENT_BY_USER, acknowledgementByUser());
    out.put(ALERT, alert());
    out.put(DEAD_LETTER, deadLetter());
    out.put(ENVELOPE, envelope());
    out.put(ACK_RECORD, ackRecord());
    return out;
  }

  static ObjectNode reading(DeviceKind k) {
    ObjectNode s =
        header(
            readingFile(k.domain(), k.kind()),
            k.domain() + "/" + k.kind() + " reading",
            "The payload a device of kind "
                + k.domain()
                + "/"
                + k.kind()
                + " publishes on MQTT city/"
                + k.domain()
                + "/"
                + k.kind()
                + "/<deviceId> (QoS 1; deviceId matches "
                + IngestValidator.DEVICE_ID.pattern()
                + "). One UTF-8 JSON object of at most "
                + IngestValidator.MAX_PAYLOAD_BYTES
                + " bytes; other fields are allowed and ignored. "
                + (k.moving()
                    ? "A moving device always sends lat and lon. "
                    : "lat and lon may be left out only by a device in the device registry, which then places it. ")
                + "Beyond this schema the bridge refuses an observation time more than "
                + IngestValidator.MAX_CLOCK_SKEW_MS / 60_000
                + " minutes ahead of its clock or older than bridge.max-reading-age ("
                + IngestValidator.DEFAULT_MAX_AGE.toHours()
                + " hours by default), and a registered device speaking as another kind.");
    ArrayNode required = s.putArray("required").add("ts");
    ObjectNode props = s.putObject("properties");
    props.set("ts", ts());
    props.set("lat", number(-90, 90, "WGS84 latitude, degrees"));
    props.set("lon", number(-180, 180, "WGS84 longitude, degrees"));
    if (k.moving()) {
      required.add("lat").add("lon");
    }
    for (DeviceKind.Field f : k.fields()) {
      props.set(f.name(), field(k, f));
      if (f.required()) {
        required.add(f.name());
      }
    }
    ObjectNode both = s.putObject("dependencies");
    both.putArray("lat").add("lon");
    both.putArray("lon").add("lat");
    return s;
  }

  private static ObjectNode field(DeviceKind k, DeviceKind.Field f) {
    ObjectNode p =
        switch (f.type()) {
          case NUMBER -> number(f.min(), f.max(), null);
          case BOOLEAN -> F.objectNode().put("type", "boolean");
          case STRING -> text(f.name());
        };
    if (k.domain().equals("community") && f.name().equals("status")) {
      IngestValidator.TICKET_STATUSES.forEach(p.putArray("enum")::add);
    }
    if (!f.required()) {
      // The bridge reads an explicit null as an absent optional field.
      ObjectNode nullable = F.objectNode();
      nullable.putArray("anyOf").add(p).addObject().put("type", "null");
      return nullable;
    }
    return p;
  }

  private static ObjectNode text(String name) {
    ObjectNode p = F.objectNode().put("type", "string");
    if (IngestValidator.ID_FIELDS.contains(name)) {
      // IngestValidator.PAYLOAD_ID, anchored: ids become alert ids and message text.
      p.put("pattern", "^" + IngestValidator.PAYLOAD_ID.pattern() + "$");
    } else {
      p.put("maxLength", IngestValidator.MAX_TEXT_CODE_POINTS);
    }
    return p;
  }

  private static ObjectNode number(double min, double max, String description) {
    ObjectNode p = F.objectNode().put("type", "number");
    p.put("minimum", integral(min)).put("maximum", integral(max));
    if (description != null) {
      p.put("description", description);
    }
    return p;
  }

  /** Whole bounds print as integers (100000, not 100000.0) in the files. */
  private static long integral(double bound) {
    if (bound != Math.rint(bound)) {
      throw new IllegalArgumentException("contract v1 has whole-number bounds only, got " + bound);
    }
    return (long) bound;
  }

  private static ObjectNode ts() {
    ObjectNode t =
        F.objectNode()
            .put(
                "description", "Observation time: epoch milliseconds, or ISO-8601 with an offset.");
    ArrayNode any = t.putArray("anyOf");
    any.addObject()
        .put("type", "integer")
        .put("minimum", IngestValidator.EARLIEST_TS_MS)
        .put("maximum", Long.MAX_VALUE)
        .put(
            "description",
            "epoch milliseconds from 2000-01-01T00:00Z (a number of seconds is refused as timestamp-in-seconds)");
    any.addObject()
        .put("type", "string")
        .put("pattern", ISO_TS_PATTERN)
        .put("description", "e.g. 2026-01-05T16:00:00+08:00 or 2026-01-05T08:00:00.250Z");
    return t;
  }

  static ObjectNode acknowledgement() {
    ObjectNode s =
        header(
            ACKNOWLEDGEMENT,
            "acknowledgement of an alert",
            "What a community manager publishes on MQTT city/ack/<alertId> (QoS 1) to acknowledge an alert. "
                + "ts, when given, obeys the readings' time rules; without it the bridge's clock is used.");
    s.putArray("required").add("by");
    ObjectNode props = s.putObject("properties");
    props
        .putObject("by")
        .put("type", "string")
        .put("pattern", "\\S")
        .put("description", "who acknowledges: not blank");
    props.set("ts", ts());
    actionProperties(s, props);
    return s;
  }

  /** The additions both acknowledgement payloads take: the text, and what the person does. */
  private static void actionProperties(ObjectNode schema, ObjectNode props) {
    props.set("note", note());
    enumOf(props.putObject("action"), Ack.ACTIONS.toArray(String[]::new));
    ((ObjectNode) props.get("action"))
        .put(
            "description",
            "addition to v1: what the person does; acknowledge when absent. resolve and comment need 'note', assign needs 'assignee'");
    props
        .putObject("assignee")
        .put("type", "string")
        .put("pattern", "^" + IngestValidator.DEVICE_ID.pattern() + "$")
        .put("description", "addition to v1: for assign, the user name the alert is given to");
    ArrayNode allOf = schema.putArray("allOf");
    for (String[] rule :
        new String[][] {{Ack.RESOLVE, "note"}, {Ack.COMMENT, "note"}, {Ack.ASSIGN, "assignee"}}) {
      ObjectNode r = allOf.addObject();
      ObjectNode when = r.putObject("if");
      when.set("required", F.arrayNode().add("action"));
      when.putObject("properties").putObject("action").put("const", rule[0]);
      r.putObject("then").set("required", F.arrayNode().add(rule[1]));
    }
  }

  static ObjectNode acknowledgementByUser() {
    ObjectNode s =
        header(
            ACKNOWLEDGEMENT_BY_USER,
            "acknowledgement by a named user",
            "Addition to v1: what a person publishes on MQTT city/ack/<alertId>/<username> (QoS 1). The broker lets each "
                + "account publish only under its own user name, so the topic says who acknowledges; a 'by' in the payload "
                + "is ignored. In a city with a users file this is the only acknowledgement taken.");
    ObjectNode props = s.putObject("properties");
    props.set("ts", ts());
    actionProperties(s, props);
    return s;
  }

  private static ObjectNode note() {
    return F.objectNode()
        .put("type", "string")
        .put("maxLength", IngestValidator.MAX_TEXT_CODE_POINTS)
        .put(
            "description",
            "addition to v1: what the person adds (\"on my way\"), at most 256 characters");
  }

  static ObjectNode alert() {
    ObjectNode s =
        header(
            ALERT,
            "alert",
            "The value of Kafka city.alerts and the payload on MQTT city/alerts/community/<communityId> and "
                + "city/alerts/district/<districtCode>. Subscribers deduplicate by alertId and state.");
    s.putArray("required")
        .add("alertId")
        .add("kind")
        .add("severity")
        .add("state")
        .add("district")
        .add("lat")
        .add("lon")
        .add("ts")
        .add("message")
        .add("evidence");
    ObjectNode props = s.putObject("properties");
    props
        .putObject("alertId")
        .put("type", "string")
        .put("minLength", 1)
        .put("description", "stable: the same incident always yields the same id");
    props
        .putObject("kind")
        .put("type", "string")
        .put("minLength", 1)
        .put(
            "description",
            "fire, fire_unconfirmed, sos, flood, gas_leak, gas_pressure, water_burst, power_outage, traffic_incident, ticket_overdue, ...");
    enumOf(
        props.putObject("severity"),
        Alert.SEVERITY_INFO,
        Alert.SEVERITY_WARNING,
        Alert.SEVERITY_CRITICAL);
    enumOf(
        props.putObject("state"),
        Alert.STATE_RAISED,
        Alert.STATE_ESCALATED,
        Alert.STATE_ACKNOWLEDGED,
        Alert.STATE_RESOLVED);
    props
        .putObject("district")
        .put("type", "string")
        .put("pattern", "^[0-9]{6}$")
        .put("description", "six-digit division code");
    nullableString(props, "community", "the community's id, null when the position is in none");
    props.set("lat", number(-90, 90, null));
    props.set("lon", number(-180, 180, null));
    props
        .putObject("ts")
        .put("type", "integer")
        .put("description", "epoch milliseconds of the alert's latest state");
    props.putObject("message").put("type", "string").put("description", "Chinese and English");
    ObjectNode evidence =
        props.putObject("evidence").put("type", "array").putObject("items").put("type", "object");
    evidence.putArray("required").add("deviceId").add("reading").add("value").add("ts");
    ObjectNode ev = evidence.putObject("properties");
    ev.putObject("deviceId").put("type", "string");
    ev.putObject("reading").put("type", "string");
    ev.putObject("value").put("type", "number");
    ev.putObject("ts").put("type", "integer");
    ObjectNode scope = props.putObject("scope");
    scope.put(
        "description",
        "addition to v1: who must be told; absent in older alerts, where it means district");
    enumOf(scope, Alert.SCOPE_COMMUNITY, Alert.SCOPE_DISTRICT);
    nullableString(
        props, "acknowledgedBy", "addition to v1: who acknowledged it, once someone has");
    props
        .putObject("note")
        .put("type", "string")
        .put(
            "description",
            "addition to v1: the text a person gave with this change (a note, a reason, a comment); absent when none");
    props
        .putObject("actor")
        .put("type", "string")
        .put(
            "description",
            "addition to v1: the person who made this change; absent when the job made it");
    enumOf(
        props.putObject("action"),
        Alert.ACTION_ACKNOWLEDGED,
        Alert.ACTION_RESOLVED,
        Alert.ACTION_ASSIGNED,
        Alert.ACTION_COMMENTED);
    ((ObjectNode) props.get("action"))
        .put(
            "description",
            "addition to v1: what actor did; assigned and commented leave the state as it was");
    props
        .putObject("assignee")
        .put("type", "string")
        .put("description", "addition to v1: who the alert is assigned to");
    return s;
  }

  static ObjectNode deadLetter() {
    ObjectNode s =
        header(
            DEAD_LETTER,
            "dead letter",
            "The value of Kafka city.deadletter: a refused message, why, and its bytes. Reasons are only ever added.");
    s.putArray("required")
        .add("reason")
        .add("detail")
        .add("topic")
        .add("key")
        .add("payload")
        .add("time")
        .add("stage");
    ObjectNode props = s.putObject("properties");
    ArrayNode reasons = props.putObject("reason").put("type", "string").putArray("enum");
    for (Reason r : Reason.values()) {
      reasons.add(r.code());
    }
    props.putObject("detail").put("type", "string").put("description", "for people; not stable");
    props
        .putObject("topic")
        .put("type", "string")
        .put("description", "the MQTT topic (bridge) or Kafka topic (a job) it came from");
    props
        .putObject("key")
        .put("type", "string")
        .put("description", "the device id, else the topic");
    props
        .putObject("payload")
        .put("type", "string")
        .put("contentEncoding", "base64")
        .put(
            "description",
            "the bytes as received; empty when partition and offset say where the record is");
    props
        .putObject("partition")
        .put("type", "integer")
        .put("minimum", -1)
        .put(
            "description",
            "addition to v1: with offset, where in Kafka topic the refused record is, for a record"
                + " a job refused after its first step (late, impossible-jump, unmatched from the"
                + " traffic job; too-many-incidents from the emergency job)");
    props
        .putObject("offset")
        .put("type", "integer")
        .put("minimum", -1)
        .put("description", "addition to v1: the record's offset in that partition");
    props
        .putObject("time")
        .put("type", "integer")
        .put("description", "when it was refused, epoch milliseconds");
    props
        .putObject("stage")
        .put("type", "string")
        .put("description", "bridge, traffic, utility, emergency, dispatch, ...");
    return s;
  }

  static ObjectNode envelope() {
    ObjectNode s =
        header(
            ENVELOPE,
            "event envelope",
            "The value of Kafka city.raw.<domain> (key: the device id): a reading the bridge accepted, with its typed fields in values.");
    s.putArray("required")
        .add("deviceId")
        .add("domain")
        .add("kind")
        .add("ts")
        .add("values")
        .add("receivedAt")
        .add("source");
    ObjectNode props = s.putObject("properties");
    props
        .putObject("deviceId")
        .put("type", "string")
        .put("pattern", "^" + IngestValidator.DEVICE_ID.pattern() + "$");
    props.putObject("domain").put("type", "string");
    props.putObject("kind").put("type", "string");
    props
        .putObject("ts")
        .put("type", "integer")
        .put("description", "observation time, epoch milliseconds (also the record's timestamp)");
    for (String p : List.of("lat", "lon")) {
      ObjectNode n = props.putObject(p);
      n.putArray("type").add("number").add("null");
    }
    props
        .putObject("values")
        .put("type", "object")
        .put("description", "the fields of the reading's kind, as validated");
    props
        .putObject("receivedAt")
        .put("type", "integer")
        .put("description", "when the bridge received it, epoch milliseconds");
    props.putObject("source").put("type", "string").put("description", "mqtt");
    return s;
  }

  static ObjectNode ackRecord() {
    ObjectNode s =
        header(
            ACK_RECORD,
            "acknowledgement record",
            "The value of Kafka city.acks (key: the alert id).");
    s.putArray("required").add("alertId").add("by").add("ts");
    ObjectNode props = s.putObject("properties");
    props.putObject("alertId").put("type", "string");
    props
        .putObject("by")
        .put("type", "string")
        .put(
            "description",
            "the topic's user name (checked by the broker), or contract v1's claim in the payload");
    props.putObject("ts").put("type", "integer");
    nullableString(
        props,
        "role",
        "addition to v1: operator, officer or manager, when the bridge has the users file");
    nullableString(
        props,
        "scope",
        "addition to v1: the person's district code (officer) or community id (manager)");
    nullableString(props, "note", "addition to v1: the text that came with it");
    nullableString(
        props,
        "action",
        "addition to v1: resolve, assign or comment; an acknowledgement when absent");
    nullableString(props, "assignee", "addition to v1: for assign, who the alert is given to");
    return s;
  }

  private static ObjectNode header(String file, String title, String description) {
    ObjectNode s = F.objectNode();
    s.put("$schema", DIALECT)
        .put("$id", ID_PREFIX + file)
        .put("title", title)
        .put("description", description);
    s.put("type", "object");
    return s;
  }

  private static void enumOf(ObjectNode node, String... values) {
    ArrayNode e = node.put("type", "string").putArray("enum");
    for (String v : values) {
      e.add(v);
    }
  }

  private static void nullableString(ObjectNode props, String name, String description) {
    ObjectNode n = props.putObject(name);
    n.putArray("type").add("string").add("null");
    n.put("description", description);
  }
}
