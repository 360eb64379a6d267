package io.citybrain.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.bridge.BridgeMain;
import io.citybrain.connectors.bridge.BridgeMainKeys;
import io.citybrain.connectors.dispatch.DispatchMain;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.testkit.MarkdownTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, item 3: each process's documented keys are exactly the ones it reads, and any other key
 * under its prefix stops it. Kafka's security keys are documented once for every process, in the
 * README.
 */
class ProcessKeysDocTest {

  @Test
  void aKeyTheProcessDoesNotReadStopsItNamingTheClosestOne() {
    Properties p = new Properties();
    p.setProperty("bridge.mqtt.url", "tcp://127.0.0.1:1883");
    p.setProperty("bridge.mqtt.user", "bridge");
    p.setProperty("dispatch.webhook.timeout", "5000");
    assertThatThrownBy(() -> BridgeMain.refuseUnknown(p))
        .hasMessage(
            "unknown setting bridge.mqtt.user (did you mean bridge.mqtt.username?);"
                + " the keys are listed in docs/ingest.md, \"Configuration\"");
    assertThatThrownBy(() -> DispatchMain.refuseUnknown(p))
        .hasMessageStartingWith(
            "unknown setting dispatch.webhook.timeout (did you mean dispatch.webhook.timeout-ms?);");
    // Each leaves the other's keys alone, and takes Kafka's and the ops port's under its prefix.
    p.remove("bridge.mqtt.user");
    p.remove("dispatch.webhook.timeout");
    p.setProperty("bridge.kafka.security.protocol", "SASL_SSL");
    p.setProperty("dispatch.http.port", "-1");
    BridgeMain.refuseUnknown(p);
    DispatchMain.refuseUnknown(p);
  }

  @Test
  void docsIngestListsEveryKeyTheBridgeReads() throws IOException {
    assertThat(documented("../docs/ingest.md", "\n## Configuration", "\n## Metrics"))
        .containsExactlyInAnyOrderElementsOf(withoutKafkaSecurity(BridgeMain.KEYS, "bridge."));
  }

  @Test
  void docsEgressListsEveryKeyTheDispatcherReads() throws IOException {
    assertThat(
            documented(
                "../docs/egress.md",
                "\n### Running the dispatcher as its own process",
                "\n## MQTT access control"))
        .containsExactlyInAnyOrderElementsOf(withoutKafkaSecurity(DispatchMain.KEYS, "dispatch."));
  }

  /**
   * The other direction: a key the parsers read but the process's set lacks would be refused at
   * start though documented. Every branch is reached (store, TLS, SMTP, Kafka security set).
   */
  @Test
  void everyKeyTheParsersReadIsInTheProcesssSet() {
    RecordingProperties bridge =
        recording(
            new String[][] {
              {"bridge.mqtt.url", "ssl://127.0.0.1:8883"},
              {"bridge.mqtt.client-id", "b-1"},
              {"bridge.mqtt.username", "bridge"},
              {"bridge.kafka.bootstrap-servers", "127.0.0.1:9092"},
              {"bridge.influx.url", "http://127.0.0.1:8086"},
              {"bridge.influx.token", "t"},
              {"bridge.kafka.security.protocol", "SSL"}
            });
    io.citybrain.connectors.bridge.BridgeSettings.fromProperties(bridge, java.util.Map.of());
    BridgeMainKeys.read(bridge);
    assertThat(BridgeMain.KEYS).containsAll(bridge.asked());

    RecordingProperties dispatch =
        recording(
            new String[][] {
              {"dispatch.kafka.bootstrap-servers", "127.0.0.1:9092"},
              {"dispatch.mqtt.url", "tcp://127.0.0.1:1883"},
              {"dispatch.mqtt.client-id", "d-1"},
              {"dispatch.mqtt.username", "dispatch"},
              {"dispatch.mqtt.password", "p"},
              {"dispatch.smtp.host", "smtp.example"},
              {"dispatch.smtp.from", "city@example.org"},
              {"dispatch.influx.url", "http://127.0.0.1:8086"},
              {"dispatch.influx.token", "t"},
              {"dispatch.kafka.security.protocol", "SSL"}
            });
    io.citybrain.connectors.dispatch.DispatchSettings.fromProperties(dispatch, java.util.Map.of());
    assertThat(DispatchMain.KEYS).containsAll(dispatch.asked());
  }

  private static Set<String> withoutKafkaSecurity(Set<String> keys, String prefix) {
    Set<String> out = new TreeSet<>(keys);
    KafkaSecurity.KEYS.forEach(k -> out.remove(prefix + k));
    KafkaSecurity.SECRET_KEYS.keySet().forEach(k -> out.remove(prefix + k));
    return out;
  }

  /** Properties holding {@code keyValues}, which record every key a parser asks for. */
  private static RecordingProperties recording(String[][] keyValues) {
    RecordingProperties p = new RecordingProperties();
    for (String[] kv : keyValues) {
      p.setProperty(kv[0], kv[1]);
    }
    return p;
  }

  /**
   * The backticked keys in the first column of the table rows between {@code from} and {@code to};
   * "`a.b.path` / `.password`" is {@code a.b.path} and {@code a.b.password}.
   */
  private static Set<String> documented(String file, String from, String to) {
    return MarkdownTables.firstColumnKeys(
        MarkdownTables.between(Path.of(file), from, to)
            .lines()
            .filter(l -> l.startsWith("| `"))
            .toList());
  }
}
