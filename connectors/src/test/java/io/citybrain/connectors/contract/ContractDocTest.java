package io.citybrain.connectors.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.QuestDbSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/contract.md says what the code does: every device kind with each of its fields, every topic,
 * every dead-letter reason, every measurement with each of its columns, and each example goes
 * through the bridge and satisfies its schema (an alert example, the alert schema).
 */
class ContractDocTest {

  private static final Path DOC = Path.of("..", "docs", "contract.md");

  /** 2026-01-05T08:00:10Z: the examples are stamped 08:00:00Z to 08:00:05Z. */
  private static final long RECEIVED = 1_767_600_010_000L;

  private static final Pattern EXAMPLE =
      Pattern.compile("<!-- contract-example: (\\S+) -->\\s*```json\\n(.*?)\\n```", Pattern.DOTALL);
  private static String doc;

  @BeforeAll
  static void read() throws IOException {
    doc = Files.readString(DOC);
  }

  /** The table row that starts with {@code `first`}. */
  private static String row(String first) {
    return doc.lines()
        .filter(l -> l.startsWith("| `" + first + "`"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("docs/contract.md has no table row for " + first));
  }

  @Test
  void everyDeviceKindAndEachOfItsFieldsIsDocumented() {
    for (DeviceKind k : DeviceKind.all()) {
      String row = row(k.domain() + "/" + k.kind());
      for (DeviceKind.Field f : k.fields()) {
        assertThat(row).as(k.domain() + "/" + k.kind()).contains("`" + f.name() + "`");
      }
    }
  }

  @Test
  void everyTopicAndEveryReasonIsDocumented() {
    for (String topic : Topics.ALL) {
      assertThat(doc).contains("`" + topic + "`");
    }
    for (Reason r : Reason.values()) {
      row(r.code());
    }
    for (String state :
        List.of(
            Alert.STATE_RAISED,
            Alert.STATE_ESCALATED,
            Alert.STATE_ACKNOWLEDGED,
            Alert.STATE_RESOLVED)) {
      assertThat(row("state")).contains("`" + state + "`");
    }
  }

  @Test
  void everyMeasurementAndEachOfItsColumnsIsDocumented() {
    Pattern table =
        Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+) \\((.*), timestamp TIMESTAMP\\)");
    int tables = 0;
    for (String ddl : QuestDbSchema.CREATE_TABLES) {
      Matcher m = table.matcher(ddl);
      assertThat(m.find()).as(ddl).isTrue();
      String row = row(m.group(1));
      for (String column : m.group(2).split(",\\s*")) {
        String name = column.trim().split(" ")[0];
        // utility_zone_hourly's fields are "as utility_zone"
        if (!row.contains("as `utility_zone`") || column.contains("SYMBOL")) {
          assertThat(row).as(m.group(1)).contains("`" + name + "`");
        }
      }
      tables++;
    }
    assertThat(tables).isEqualTo(9);
  }

  @Test
  void everyExampleGoesThroughTheBridgeAndSatisfiesItsSchema() {
    Matcher m = EXAMPLE.matcher(doc);
    List<String> seen = new ArrayList<>();
    IngestValidator bridge = new IngestValidator();
    while (m.find()) {
      String where = m.group(1);
      byte[] json = m.group(2).getBytes(StandardCharsets.UTF_8);
      if (where.equals("alert")) {
        assertThat(ContractSchemasTest.accepts(ContractSchemas.ALERT, json))
            .as("the alert example")
            .isTrue();
        assertThat(Alert.fromJson(json).alertId()).isNotBlank();
      } else {
        IngestResult r = bridge.validate(where, json, RECEIVED);
        assertThat(r)
            .as(where + ": " + r)
            .isInstanceOfAny(IngestResult.Reading.class, IngestResult.Acknowledgement.class);
        assertThat(
                ContractSchemasTest.accepts(
                    ContractSchemas.forMqttTopic(where).orElseThrow(), json))
            .as(where)
            .isTrue();
      }
      seen.add(where);
    }
    assertThat(seen)
        .hasSizeGreaterThanOrEqualTo(6)
        .contains("alert")
        .anyMatch(w -> w.startsWith("city/ack/"));
  }
}
