package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One device with a hostile topic must never stall ingest (issue 23). Against the embedded Moquette
 * and against Mosquitto, through the real bridge and Kafka: every topic a device can put on the
 * wire — supplementary characters (the emoji that stalled Paho), each C0 control and NUL, DEL, C1
 * controls, the BOM, U+FFFD, noncharacters, malformed and overlong UTF-8, a 65,535-byte topic —
 * each followed by a valid SOS from a canary device that must reach Kafka. Each hostile message has
 * its exact outcome: refused by the broker (Mosquitto closes the publisher's connection; Moquette
 * counts it, {@code TopicGuard}), or forwarded and dead-lettered by the bridge with its reason. The
 * bridge never loses its connection.
 */
class HostileTopicsITCase {

  @TempDir Path dir;

  /**
   * A hostile topic and what becomes of it. {@code decoded} is the topic a broker forwards, null
   * when it cannot be.
   */
  record Case(String name, byte[] topic, String decoded, String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String PREFIX = "city/emergency/sos/";

  static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    // Valid UTF-8 that both brokers forward; the bridge refuses the device id or the kind.
    text(
        out,
        "emoji device id (the SOS that stalled ingest)",
        PREFIX + "\uD83D\uDEA6",
        "bad-device-id");
    text(out, "supplementary letter in the device id", PREFIX + "x\uD835\uDD4F", "bad-device-id");
    text(out, "emoji in the kind level", "city/emergency/\uD83D\uDE00/h1", "unknown-kind");
    text(out, "BOM in the device id", PREFIX + "\uFEFFh2", "bad-device-id");
    text(out, "BOM before the domain", "city/\uFEFFemergency/sos/h3", "unknown-kind");
    text(out, "zero-width joiner", PREFIX + "h\u200D4", "bad-device-id");
    text(out, "right-to-left override", PREFIX + "h\u202E5", "bad-device-id");
    text(out, "CJK device id", PREFIX + "设备6", "bad-device-id");
    text(
        out,
        "ack for an emoji alert id (an SOS payload: no by)",
        "city/ack/\uD83D\uDEA6",
        "missing-field");
    // Characters Mosquitto refuses from the publisher and the embedded broker refuses too.
    for (int c = 0; c < 0x20; c++) {
      text(
          out,
          String.format(Locale.ROOT, "control U+%04X in the device id", c),
          PREFIX + "c" + c + (char) c,
          null);
    }
    text(out, "DEL", PREFIX + "d\u007F", null);
    text(out, "C1 control U+0080", PREFIX + "d\u0080", null);
    text(out, "C1 next line U+0085", PREFIX + "d\u0085", null);
    text(out, "C1 control U+009F", PREFIX + "d\u009F", null);
    text(out, "noncharacter U+FFFF", PREFIX + "d\uFFFF", null);
    text(out, "noncharacter U+FFFE", PREFIX + "d\uFFFE", null);
    text(out, "noncharacter U+FDD0", PREFIX + "d\uFDD0", null);
    text(out, "NUL in the domain level", "city/emer\u0000gency/sos/n1", null);
    // U+FFFD itself is valid UTF-8: Mosquitto forwards it, the embedded broker refuses it (it is
    // what malformed UTF-8 decodes to).
    out.add(
        new Case(
            "replacement character U+FFFD",
            (PREFIX + "r\uFFFD").getBytes(StandardCharsets.UTF_8),
            PREFIX + "r\uFFFD",
            "bad-device-id"));
    // Malformed UTF-8: no broker forwards it.
    raw(out, "lone continuation byte", new byte[] {(byte) 0x80});
    raw(out, "0xFF byte", new byte[] {(byte) 0xFF});
    raw(out, "truncated three-byte sequence", new byte[] {(byte) 0xE2, (byte) 0x82});
    raw(out, "overlong slash", new byte[] {(byte) 0xC0, (byte) 0xAF});
    raw(out, "overlong NUL", new byte[] {(byte) 0xC0, (byte) 0x80});
    raw(out, "encoded surrogate (CESU-8)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
    raw(out, "beyond U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    raw(out, "invalid two-byte start", new byte[] {(byte) 0xC3, (byte) 0x28});
    // Long, but a topic: the device id is too long.
    text(out, "65,535-byte topic", PREFIX + "a".repeat(65_535 - PREFIX.length()), "bad-device-id");
    return out;
  }

  private static void text(List<Case> out, String name, String topic, String reason) {
    out.add(
        new Case(
            name, topic.getBytes(StandardCharsets.UTF_8), reason == null ? null : topic, reason));
  }

  private static void raw(List<Case> out, String name, byte[] bad) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.writeBytes((PREFIX + "m").getBytes(StandardCharsets.UTF_8));
    t.writeBytes(bad);
    out.add(new Case("malformed UTF-8: " + name, t.toByteArray(), null, null));
  }

  /** What the broker does with the case: null refused, else the topic it forwards. */
  private static String forwarded(Case c, TestBroker.Kind kind) {
    if (c.name().startsWith("replacement character")) {
      return kind == TestBroker.Kind.MOSQUITTO ? c.decoded() : null;
    }
    return c.decoded();
  }

  private static byte[] sos(long ts) {
    return String.format(
            Locale.ROOT, "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"pressed\":true}", ts)
        .getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(TestBroker.Kind.class)
  void noTopicStallsIngestAndEachHasItsExactOutcome(TestBroker.Kind kind) throws Exception {
    List<Case> cases = cases();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        TestBroker broker = TestBroker.start(kind, dir.resolve("mqtt"))) {
      KafkaTopics.create(kafka.bootstrapServers());
      try (MqttKafkaBridge bridge =
              MqttKafkaBridge.start(BridgeSettings.local(broker.url(), kafka.bootstrapServers()));
          KafkaConsumer<String, byte[]> consumer =
              KafkaTopics.bridgeOutputs(kafka.bootstrapServers())) {
        Map<String, List<DeadLetter>> deadByTopic = new HashMap<>();
        Map<String, String> raw = new HashMap<>(); // key -> topic
        java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink =
            r -> {
              if (r.topic().equals(Topics.DEADLETTER)) {
                DeadLetter d = DeadLetter.fromJson(r.value());
                deadByTopic.computeIfAbsent(d.topic(), t -> new ArrayList<>()).add(d);
              } else {
                raw.put(r.key(), r.topic());
              }
            };
        long worstCanaryMs = 0;
        long refusedByClosing = 0;
        for (int i = 0; i < cases.size(); i++) {
          Case c = cases.get(i);
          // Moquette neither acknowledges nor closes on a topic it refuses, it counts it: stop
          // waiting once counted (Mosquitto's TestBroker counts nothing, it closes).
          long refusedBefore = broker.refusedTopics();
          RawMqtt.Outcome poisoned =
              RawMqtt.publish(
                  broker.url(),
                  "hostile-" + i,
                  c.topic(),
                  sos(System.currentTimeMillis()),
                  1_000,
                  () -> broker.refusedTopics() > refusedBefore);
          if (forwarded(c, kind) == null && kind == TestBroker.Kind.MOSQUITTO) {
            assertThat(poisoned)
                .as("%s: Mosquitto refuses it by closing the publisher's connection", c)
                .isEqualTo(RawMqtt.Outcome.CLOSED);
            refusedByClosing++;
          }
          String canary = "canary-" + i;
          long t0 = System.nanoTime();
          RawMqtt.Outcome sent =
              RawMqtt.publish(
                  broker.url(),
                  canary,
                  (PREFIX + canary).getBytes(StandardCharsets.UTF_8),
                  sos(System.currentTimeMillis()),
                  5_000);
          assertThat(sent).as("the canary after %s", c).isEqualTo(RawMqtt.Outcome.ACKNOWLEDGED);
          boolean arrived =
              KafkaTopics.pollUntil(consumer, sink, () -> raw.containsKey(canary), 30_000);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          worstCanaryMs = Math.max(worstCanaryMs, ms);
          assertThat(arrived)
              .as("the canary after %s reached Kafka (ingest not stalled)", c)
              .isTrue();
        }
        long expectedDead = cases.stream().filter(c -> forwarded(c, kind) != null).count();
        KafkaTopics.pollUntil(
            consumer,
            sink,
            () -> deadByTopic.values().stream().mapToInt(List::size).sum() >= expectedDead,
            30_000);
        System.out.printf(
            "%s: %d hostile topics, %d forwarded and dead-lettered, %d refused by the broker; "
                + "worst canary publish -> Kafka %d ms%n",
            kind, cases.size(), expectedDead, cases.size() - expectedDead, worstCanaryMs);

        for (Case c : cases) {
          String topic = forwarded(c, kind);
          if (topic == null) {
            continue;
          }
          List<DeadLetter> dead = deadByTopic.getOrDefault(topic, List.of());
          assertThat(dead).as("%s must be dead-lettered once", c).hasSize(1);
          assertThat(dead.get(0).reason())
              .as("%s: %s", c, dead.get(0).detail())
              .isEqualTo(c.reason());
        }
        assertThat(deadByTopic.values().stream().mapToInt(List::size).sum())
            .as("nothing else dead-lettered")
            .isEqualTo(expectedDead);
        assertThat(raw.keySet())
            .as("only the canaries reached the raw topics")
            .allMatch(k -> k.startsWith("canary-"));
        assertThat(raw).hasSize(cases.size());
        if (kind == TestBroker.Kind.MOQUETTE) {
          assertThat(broker.refusedTopics())
              .as("refused by the embedded broker")
              .isEqualTo(cases.size() - expectedDead);
        } else {
          assertThat(refusedByClosing).isEqualTo(cases.size() - expectedDead);
        }
        BridgeMetrics.Snapshot m = bridge.metrics().snapshot();
        assertThat(m.connectionsLost()).as("the bridge never lost its broker connection").isZero();
        assertThat(m.connects()).isEqualTo(1);
      }
    }
  }
}
