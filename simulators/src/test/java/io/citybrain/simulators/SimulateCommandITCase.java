package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.Json;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.embedded.EmbeddedMqttBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./citybrain simulate} against the real embedded broker: ten simulated minutes at
 * {@code --speed 600} keep their simulated timestamps (each device one reading per interval, all
 * inside the simulated window), every message is acknowledged and seen by a subscriber, the record
 * holds exactly what was sent, the registry is written, the summary counts by kind, and a replay
 * of the record sends it all again.
 */
class SimulateCommandITCase {

  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");
  @TempDir Path dir;

  @Test
  void aFastSimulationKeepsItsTimestampsAndAReplaySendsTheSameAgain() throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0)) {
      AtomicLong received = new AtomicLong();
      MqttClient sub = new MqttClient(broker.url(), "sim-it-sub", new MemoryPersistence());
      sub.connect();
      sub.subscribe("city/#", 1, (topic, msg) -> received.incrementAndGet());

      Path record = dir.resolve("run.jsonl");
      Path registry = dir.resolve("devices.csv");
      String out = run("--mqtt", broker.url(), "--devices", "200", "--seed", "7", "--speed", "600", "--duration", "PT10M",
          "--start", START.toString(), "--record", record.toString(), "--registry", registry.toString(), "--qos", "1");

      List<String> lines = Files.readAllLines(record);
      assertThat(lines).hasSizeGreaterThan(200);
      Map<String, Long> lastByTopic = new HashMap<>();
      for (String line : lines) {
        Recorded r = Json.MAPPER.readValue(line, Recorded.class);
        assertThat(r.t()).as(line).isBetween(START.toEpochMilli(), START.toEpochMilli() + 600_000);
        Long previous = lastByTopic.put(r.topic(), r.t());
        if (previous != null && r.kind().equals("traffic/loop")) {
          assertThat(r.t() - previous).as("a loop reports once a simulated minute").isEqualTo(60_000);
        }
      }
      assertThat(out).contains("sent " + String.format("%,d", lines.size()) + ", acknowledged " + String.format("%,d", lines.size()))
          .contains("failed 0").containsPattern("traffic/loop\\s+sent").containsPattern("utility/power\\s+sent");
      Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> received.get() >= lines.size());
      // The fleet is the devices asked for plus one ticket hotline per district.
      java.util.regex.Matcher fleet = java.util.regex.Pattern.compile("simulating normal-day: (\\d+) devices").matcher(out);
      assertThat(fleet.find()).isTrue();
      assertThat(DeviceRegistry.load("--registry", registry).size()).isEqualTo(Integer.parseInt(fleet.group(1))).isGreaterThanOrEqualTo(200);

      received.set(0);
      String replay = run("--mqtt", broker.url(), "--replay", record.toString(), "--speed", "600", "--qos", "1");
      assertThat(replay).contains("sent " + String.format("%,d", lines.size()));
      Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> received.get() >= lines.size());
      sub.disconnect();
      sub.close();
    }
  }

  private static String run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new SimulateCommand()).execute(args);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.println(out);
    assertThat(code).as(out).isZero();
    return out;
  }
}
