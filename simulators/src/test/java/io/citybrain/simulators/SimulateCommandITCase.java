package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.connectors.bridge.BridgeSettings;
import io.citybrain.connectors.bridge.MqttKafkaBridge;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Json;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./citybrain simulate} against the real embedded broker: ten simulated minutes at {@code
 * --speed 600} keep their simulated timestamps (each device one reading per interval, all inside
 * the simulated window), every message is acknowledged and seen by a subscriber, the record holds
 * exactly what was sent, the registry is written, the summary counts by kind, and a replay of the
 * record sends it all again.
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
      String out =
          run(
              "--mqtt",
              broker.url(),
              "--devices",
              "200",
              "--seed",
              "7",
              "--speed",
              "600",
              "--duration",
              "PT10M",
              "--start",
              START.toString(),
              "--record",
              record.toString(),
              "--registry",
              registry.toString(),
              "--qos",
              "1");

      List<String> lines = Files.readAllLines(record);
      assertThat(lines).hasSizeGreaterThan(200);
      Map<String, Long> lastByTopic = new HashMap<>();
      for (String line : lines) {
        Recorded r = Json.MAPPER.readValue(line, Recorded.class);
        assertThat(r.t()).as(line).isBetween(START.toEpochMilli(), START.toEpochMilli() + 600_000);
        Long previous = lastByTopic.put(r.topic(), r.t());
        if (previous != null && r.kind().equals("traffic/loop")) {
          assertThat(r.t() - previous)
              .as("a loop reports once a simulated minute")
              .isEqualTo(60_000);
        }
      }
      assertThat(out)
          .contains(
              "sent "
                  + String.format("%,d", lines.size())
                  + ", acknowledged "
                  + String.format("%,d", lines.size()))
          .contains("failed 0")
          .containsPattern("traffic/loop\\s+sent")
          .containsPattern("utility/power\\s+sent");
      Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> received.get() >= lines.size());
      // The fleet is the devices asked for plus one ticket hotline per district.
      java.util.regex.Matcher fleet =
          java.util.regex.Pattern.compile("simulating normal-day: (\\d+) devices").matcher(out);
      assertThat(fleet.find()).isTrue();
      assertThat(DeviceRegistry.load("--registry", registry).size())
          .isEqualTo(Integer.parseInt(fleet.group(1)))
          .isGreaterThanOrEqualTo(200);

      received.set(0);
      String replay =
          run(
              "--mqtt",
              broker.url(),
              "--replay",
              record.toString(),
              "--speed",
              "600",
              "--qos",
              "1");
      assertThat(replay).contains("sent " + String.format("%,d", lines.size()));
      Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> received.get() >= lines.size());
      sub.disconnect();
      sub.close();
    }
  }

  /**
   * {@code --omit-fixed-positions} end to end: the simulator's fixed devices send no position, the
   * bridge (real, with the registry the simulator writes) places every one of them, and nothing is
   * dead-lettered; probes keep sending theirs.
   */
  @Test
  void fixedDevicesThatOmitTheirPositionsArePlacedByTheBridgeFromTheSimulatorsRegistry()
      throws Exception {
    // The bridge reads its registry at start, before the simulator runs: the same fleet (seed,
    // size) written here.
    Path registry = dir.resolve("devices.csv");
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(7), 100, 7);
    fleet.writeRegistry(registry);
    Map<String, Fleet.Device> devices = new HashMap<>();
    fleet.devices().forEach(d -> devices.put(d.id(), d));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0)) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
      try (MqttKafkaBridge bridge =
          MqttKafkaBridge.start(
              BridgeSettings.local(broker.url(), kafka.bootstrapServers())
                  .withRegistry(registry)
                  .withMaxReadingAge(IngestValidator.NO_AGE_LIMIT))) {
        Path record = dir.resolve("fixed.jsonl");
        Path written = dir.resolve("written.csv");
        run(
            "--mqtt",
            broker.url(),
            "--devices",
            "100",
            "--seed",
            "7",
            "--speed",
            "600",
            "--duration",
            "PT10M",
            "--start",
            START.toString(),
            "--record",
            record.toString(),
            "--registry",
            written.toString(),
            "--qos",
            "1",
            "--omit-fixed-positions");
        assertThat(Files.mismatch(written, registry))
            .as("the simulator writes the registry the bridge reads")
            .isEqualTo(-1);

        List<String> lines = Files.readAllLines(record);
        int fixed = 0;
        for (String line : lines) {
          Recorded r = Json.MAPPER.readValue(line, Recorded.class);
          JsonNode sent = Json.MAPPER.readTree(Base64.getDecoder().decode(r.payloadB64()));
          boolean probe = r.kind().equals("traffic/probe");
          assertThat(sent.has("lat") && sent.has("lon")).as(line).isEqualTo(probe);
          fixed += probe ? 0 : 1;
        }
        assertThat(fixed).isGreaterThan(50);

        List<Envelope> placed = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "sim-it-placed");
        try (KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
          consumer.subscribe(Topics.ALL);
          Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(90))
              .until(
                  () -> {
                    for (ConsumerRecord<String, byte[]> rec :
                        consumer.poll(java.time.Duration.ofMillis(200))) {
                      if (rec.topic().equals(Topics.DEADLETTER)) {
                        dead.add(new String(rec.value(), StandardCharsets.UTF_8));
                      } else if (rec.topic().startsWith(Topics.RAW_PREFIX)) {
                        placed.add(EnvelopeCodec.decode(rec.value()));
                      }
                    }
                    return placed.size() + dead.size() >= lines.size();
                  });
        }
        assertThat(dead).isEmpty();
        assertThat(placed).hasSize(lines.size());
        for (Envelope e : placed) {
          Fleet.Device d = devices.get(e.deviceId());
          assertThat(e.lat()).as(e.deviceId()).isNotNull();
          if (!d.kind().equals("probe")) {
            assertThat(e.lat()).as(e.deviceId()).isEqualTo(d.lat());
            assertThat(e.lon()).as(e.deviceId()).isEqualTo(d.lon());
          }
        }
      }
    }
  }

  /**
   * The local city's own simulators (seed 42) and a {@code simulate} with the same seed and default
   * settings beside them, as a newcomer runs it: neither may take the other's connection away.
   */
  @Test
  void aRunBesideTheLocalCitysSimulatorsWithTheSameSeedLosesNothing() throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
        BackgroundSimulation city =
            BackgroundSimulation.start(
                broker.url(),
                io.citybrain.geo.CityPackage.generatedHangzhou(42),
                200,
                42,
                Scenario.NORMAL_DAY)) {
      Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> city.stats().acked() > 0);
      String out =
          run(
              "--mqtt",
              broker.url(),
              "--devices",
              "200",
              "--seed",
              "42",
              "--scenario",
              "fire",
              "--speed",
              "600",
              "--duration",
              "PT10M",
              "--start",
              START.toString());
      assertThat(out).containsPattern("acknowledged [0-9,]+, failed 0\\n");
      assertThat(city.stats().failed())
          .as("the city's simulators' failures: %s", city.stats().failureReasons())
          .isZero();
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
