package io.citybrain.connectors.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.citybrain.connectors.envelope.IngestCorpus;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published schemas are the code's, and the bridge agrees with them: over the whole bad-input
 * corpus, a payload the schema of its topic accepts is accepted by the bridge, and the other way
 * round, except where a rule is beyond any schema (the clock, the size limit, the device registry:
 * {@link #BEYOND_THE_SCHEMA}). Regenerate the files after changing the contract with {@code ./mvnw
 * -pl connectors test -Dtest=ContractSchemasTest -Dcitybrain.contract.write=true}.
 */
class ContractSchemasTest {

  static final Path DIR = Path.of("..", "docs", "contract", "schemas");

  /** 2026-01-05T08:00:00Z: when the bridge received the corpus. */
  private static final long RECEIVED = 1_767_600_000_000L;

  /**
   * Reasons that depend on the bridge's clock, the payload's size or the registry, not on the
   * payload's shape ({@code missing-position} only for a fixed kind: a moving one's schema requires
   * the position).
   */
  static final Set<String> BEYOND_THE_SCHEMA =
      Set.of("future-timestamp", "stale-timestamp", "missing-position", "too-large");

  /** Reasons about the topic: the schema of a payload says nothing about them. */
  static final Set<String> TOPIC_REASONS = Set.of("bad-topic", "bad-device-id", "unknown-kind");

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private final IngestValidator bridge = new IngestValidator();

  static String render(ObjectNode schema) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(schema) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Schema schema(String file) {
    return REGISTRY.getSchema(render(ContractSchemas.all().get(file)), InputFormat.JSON);
  }

  /** Whether {@code payload} is one strict JSON document that {@code file}'s schema accepts. */
  static boolean accepts(String file, byte[] payload) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(payload)).toString();
      Json.MAPPER.readTree(text);
    } catch (IOException e) {
      return false;
    }
    try {
      return schema(file).validate(text, InputFormat.JSON).isEmpty();
    } catch (NumberFormatException
        | tools.jackson.databind.exc.JsonNodeException beyondLongOrDouble) {
      // networknt 3.0.9 throws instead of answering when it compares a bound with a number beyond a
      // long or a double (9.3e18, 1e999999999): such a number breaks every bound, so it is refused.
      return false;
    }
  }

  @Test
  void theCommittedFilesAreTheSchemasTheCodeBuilds() throws IOException {
    Map<String, ObjectNode> all = ContractSchemas.all();
    if (Boolean.getBoolean("citybrain.contract.write")) {
      Files.createDirectories(DIR);
      for (var e : all.entrySet()) {
        Files.writeString(DIR.resolve(e.getKey()), render(e.getValue()));
      }
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(DIR)) {
      list.forEach(p -> files.add(p.getFileName().toString()));
    }
    assertThat(files)
        .as("docs/contract/schemas (regenerate: see this test's comment)")
        .isEqualTo(all.keySet());
    for (var e : all.entrySet()) {
      assertThat(Files.readString(DIR.resolve(e.getKey())))
          .as(e.getKey() + " (regenerate: see this test's comment)")
          .isEqualTo(render(e.getValue()));
    }
  }

  @Test
  void everySchemaIsValidAgainstTheDraft07MetaSchema() {
    Schema meta = REGISTRY.getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema"));
    for (var e : ContractSchemas.all().entrySet()) {
      assertThat(meta.validate(render(e.getValue()), InputFormat.JSON)).as(e.getKey()).isEmpty();
    }
  }

  static Stream<IngestCorpus.Case> corpus() {
    return IngestCorpus.all(RECEIVED).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void theBridgeAndTheSchemaOfTheTopicAgree(IngestCorpus.Case c) {
    IngestResult r = bridge.validate(c.topic(), c.payload(), RECEIVED);
    boolean bridgeAccepts =
        r instanceof IngestResult.Reading || r instanceof IngestResult.Acknowledgement;
    String reason = r instanceof IngestResult.Rejected rej ? rej.deadLetter().reason() : null;
    var file = ContractSchemas.forMqttTopic(c.topic());
    if (file.isEmpty() || reason != null && TOPIC_REASONS.contains(reason)) {
      assertThat(bridgeAccepts)
          .as("no payload schema for " + c.topic() + ", yet the bridge accepted it")
          .isFalse();
      return;
    }
    if ("too-large".equals(reason)) {
      return;
    }
    boolean schemaAccepts = accepts(file.get(), c.payload());
    if (reason != null
        && BEYOND_THE_SCHEMA.contains(reason)
        && !(reason.equals("missing-position") && movingKind(c.topic()))) {
      assertThat(schemaAccepts)
          .as(
              c.name()
                  + ": refused for "
                  + reason
                  + ", a rule beyond the schema, so the schema must accept it")
          .isTrue();
    } else {
      assertThat(schemaAccepts)
          .as(
              c.name()
                  + " (bridge: "
                  + (reason == null ? "accepted" : reason)
                  + ") against "
                  + file.get())
          .isEqualTo(bridgeAccepts);
    }
  }

  @Test
  void whatTheBridgeWritesToKafkaHasTheShapeOfItsSchema() {
    Schema deadLetter = schema(ContractSchemas.DEAD_LETTER);
    Schema envelope = schema(ContractSchemas.ENVELOPE);
    Schema ack = schema(ContractSchemas.ACK_RECORD);
    int letters = 0;
    int readings = 0;
    for (IngestCorpus.Case c : IngestCorpus.all(RECEIVED)) {
      IngestResult r = bridge.validate(c.topic(), c.payload(), RECEIVED);
      String json = null;
      if (r instanceof IngestResult.Rejected rej) {
        letters++;
        json = new String(rej.deadLetter().toJson(), StandardCharsets.UTF_8);
      } else if (r instanceof IngestResult.Reading reading) {
        readings++;
        json = write(reading.envelope());
      } else if (r instanceof IngestResult.Acknowledgement a) {
        json = write(a.ack());
      }
      if (json != null) {
        Schema s =
            r instanceof IngestResult.Rejected
                ? deadLetter
                : r instanceof IngestResult.Reading ? envelope : ack;
        assertThat(s.validate(json, InputFormat.JSON))
            .as(c.name() + ": " + json.substring(0, Math.min(300, json.length())))
            .isEmpty();
      }
    }
    assertThat(letters).isGreaterThan(50);
    assertThat(readings).isGreaterThan(5);
  }

  @Test
  void alertsInEveryStateAndScopeHaveTheShapeOfTheAlertSchema() {
    Schema schema = schema(ContractSchemas.ALERT);
    Evidence[] evidence = {
      new Evidence("smoke-1", "alarm", 1, RECEIVED - 1000),
      new Evidence("smoke-2", "alarm", 1, RECEIVED)
    };
    for (String state :
        List.of(
            Alert.STATE_RAISED,
            Alert.STATE_ESCALATED,
            Alert.STATE_ACKNOWLEDGED,
            Alert.STATE_RESOLVED)) {
      Alert inCommunity =
          new Alert(
              "fire-1767600000000-b-7",
              "fire",
              Alert.SEVERITY_CRITICAL,
              state,
              "330106",
              "330106-003",
              30.27,
              120.13,
              RECEIVED,
              "火警 Fire",
              evidence,
              Alert.SCOPE_COMMUNITY,
              state.equals(Alert.STATE_ACKNOWLEDGED) ? "m-7" : null);
      Alert inNone =
          new Alert(
              "flood-1767600000000-f-1",
              "flood",
              Alert.SEVERITY_WARNING,
              state,
              "330106",
              null,
              30.27,
              120.13,
              RECEIVED,
              "积水 Flood",
              null,
              null,
              null);
      for (Alert a : List.of(inCommunity, inNone)) {
        assertThat(
                schema.validate(new String(a.toJson(), StandardCharsets.UTF_8), InputFormat.JSON))
            .as(a.toString())
            .isEmpty();
      }
    }
    assertThat(
            schema.validate(
                "{\"alertId\":\"a\",\"kind\":\"fire\",\"severity\":\"grave\"}", InputFormat.JSON))
        .as("an unknown severity and missing fields")
        .hasSizeGreaterThan(1);
  }

  @Test
  void everyContractTopicOfMqttHasASchemaAndOthersNone() {
    assertThat(ContractSchemas.forMqttTopic("city/traffic/loop/d-1"))
        .contains("reading.traffic.loop.schema.json");
    assertThat(ContractSchemas.forMqttTopic("city/ack/fire-1-b"))
        .contains(ContractSchemas.ACKNOWLEDGEMENT);
    assertThat(ContractSchemas.forMqttTopic("city/weather/rain/d-1")).isEmpty();
    assertThat(ContractSchemas.forMqttTopic("city/alerts/community/c-1")).isEmpty();
  }

  private static boolean movingKind(String topic) {
    String[] levels = topic.split("/");
    return io.citybrain.contract.DeviceKind.of(levels[1], levels[2]).orElseThrow().moving();
  }

  private static String write(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
