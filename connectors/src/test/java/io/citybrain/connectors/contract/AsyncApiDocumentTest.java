package io.citybrain.connectors.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * docs/contract/asyncapi.yaml is a valid AsyncAPI 3.0.0 document (checked against the AsyncAPI
 * Initiative's own JSON Schema of the specification, a copy in test resources), and it describes
 * this code's contract: a channel for every device kind, for acknowledgements and the two alert
 * topics, and for every Kafka topic of {@link Topics#ALL}, each with the schema file the code
 * builds.
 */
class AsyncApiDocumentTest {

  private static final Path DOC = Path.of("..", "docs", "contract", "asyncapi.yaml");
  private static JsonNode doc;

  /** Channel address → the schema file its message's payload refers to (null when inline). */
  private static final Map<String, String> PAYLOADS = new HashMap<>();

  @BeforeAll
  static void read() {
    doc = new YAMLMapper().readTree(DOC.toFile());
    JsonNode messages = doc.path("components").path("messages");
    for (JsonNode channel : doc.path("channels")) {
      for (JsonNode m : channel.path("messages")) {
        String name = m.path("$ref").asString().replace("#/components/messages/", "");
        String file =
            messages.path(name).path("payload").path("schema").path("$ref").asString(null);
        PAYLOADS.put(
            channel.path("address").asString(),
            file == null ? null : file.replace("./schemas/", ""));
      }
    }
  }

  @Test
  void isAValidAsyncApi300Document() throws IOException {
    Schema spec;
    try (InputStream in =
        AsyncApiDocumentTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
      spec = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    }
    String json = JsonMapper.shared().writeValueAsString(doc);
    assertThat(spec.validate(json, InputFormat.JSON)).isEmpty();
    assertThat(
            spec.validate(
                json.replace("\"action\":\"receive\"", "\"action\":\"listen\""), InputFormat.JSON))
        .as("a document the specification refuses")
        .isNotEmpty();
  }

  @Test
  void everyDeviceKindHasAChannelWithItsSchema() {
    for (DeviceKind k : DeviceKind.all()) {
      assertThat(PAYLOADS)
          .as(k.domain() + "/" + k.kind())
          .containsEntry(
              "city/" + k.domain() + "/" + k.kind() + "/{deviceId}",
              ContractSchemas.readingFile(k.domain(), k.kind()));
    }
    assertThat(PAYLOADS)
        .containsEntry("city/ack/{alertId}", ContractSchemas.ACKNOWLEDGEMENT)
        .containsEntry("city/alerts/community/{communityId}", ContractSchemas.ALERT)
        .containsEntry("city/alerts/district/{districtCode}", ContractSchemas.ALERT);
  }

  @Test
  void everyKafkaTopicHasAChannel() {
    for (String topic : Topics.ALL) {
      assertThat(PAYLOADS).as(topic).containsKey(topic);
    }
    assertThat(PAYLOADS)
        .containsEntry(Topics.ALERTS, ContractSchemas.ALERT)
        .containsEntry(Topics.ACKS, ContractSchemas.ACK_RECORD)
        .containsEntry(Topics.DEADLETTER, ContractSchemas.DEAD_LETTER)
        .containsEntry(Topics.RAW_TRAFFIC, ContractSchemas.ENVELOPE);
  }

  @Test
  void everySchemaFileIsReferencedAndEveryReferenceIsAFile() throws IOException {
    Set<String> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(ContractSchemasTest.DIR)) {
      list.forEach(p -> files.add(p.getFileName().toString()));
    }
    Set<String> referenced =
        new TreeSet<>(PAYLOADS.values().stream().filter(f -> f != null).toList());
    assertThat(referenced).isEqualTo(files);
  }
}
