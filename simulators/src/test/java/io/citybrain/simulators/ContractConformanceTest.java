package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.citybrain.connectors.contract.ContractSchemas;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The simulators speak the published contract: every message of every scenario satisfies the JSON
 * Schema of its topic as committed in {@code docs/contract/schemas} (what a device vendor reads),
 * and the bridge accepts it. With chaos on, the schema and the bridge agree on each corrupted
 * message, except for rules no schema can state (the bridge's clock).
 */
class ContractConformanceTest {

  private static final Path SCHEMAS = Path.of("..", "docs", "contract", "schemas");
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private static final Map<String, Schema> LOADED = new HashMap<>();
  private static final Set<String> CLOCK_REASONS = Set.of("future-timestamp", "stale-timestamp");

  private static Schema published(String file) {
    return LOADED.computeIfAbsent(
        file,
        f -> {
          try {
            return REGISTRY.getSchema(Files.readString(SCHEMAS.resolve(f)), InputFormat.JSON);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static boolean schemaAccepts(Message m) {
    String file =
        ContractSchemas.forMqttTopic(m.topic())
            .orElseThrow(() -> new AssertionError("no schema for " + m.topic()));
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(m.payload()))
              .toString();
      io.citybrain.contract.Json.MAPPER.readTree(text);
    } catch (CharacterCodingException | com.fasterxml.jackson.core.JacksonException e) {
      return false;
    }
    return published(file).validate(text, InputFormat.JSON).isEmpty();
  }

  @Test
  void everyMessageOfEveryScenarioSatisfiesThePublishedSchemaOfItsTopic() {
    IngestValidator bridge = new IngestValidator();
    Set<String> kinds = new java.util.TreeSet<>();
    for (Scenario s : Scenario.values()) {
      for (Message m : SimulationTest.play(s, s.onset.plus(Duration.ofMinutes(2)), Chaos.NONE)) {
        String shown = s + ": " + m.topic() + " " + new String(m.payload(), StandardCharsets.UTF_8);
        assertThat(schemaAccepts(m)).as(shown).isTrue();
        assertThat(bridge.validate(m.topic(), m.payload(), m.eventTs() + 1000))
            .as(shown)
            .isInstanceOf(IngestResult.Reading.class);
        kinds.add(m.kind());
      }
    }
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            "traffic/loop",
            "traffic/probe",
            "utility/water",
            "utility/power",
            "utility/gas",
            "emergency/smoke",
            "emergency/sos",
            "emergency/flood",
            "community/ticket");
  }

  @Test
  void onTheChaosFleetsCorruptedMessagesTheSchemaAndTheBridgeAgree() {
    IngestValidator bridge = new IngestValidator();
    int refused = 0;
    for (Message m :
        SimulationTest.play(
            Scenario.NORMAL_DAY, Duration.ofMinutes(10), new Chaos(10, 5, 5, 5, 600_000, 0))) {
      IngestResult r = bridge.validate(m.topic(), m.payload(), m.eventTs() + 1000);
      String reason = r instanceof IngestResult.Rejected rej ? rej.deadLetter().reason() : null;
      if (reason != null && CLOCK_REASONS.contains(reason)) {
        continue;
      }
      refused += reason == null ? 0 : 1;
      assertThat(schemaAccepts(m))
          .as(
              m.topic()
                  + " "
                  + new String(m.payload(), StandardCharsets.UTF_8)
                  + " bridge: "
                  + reason)
          .isEqualTo(reason == null);
    }
    assertThat(refused).as("corrupted messages compared").isGreaterThan(100);
  }
}
