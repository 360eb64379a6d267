package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Nothing vanishes (issue 23): random topics and payloads — random bytes, random UTF-8 with
 * supplementary characters, controls, the BOM and markup, valid readings and acknowledgements, JSON
 * of random shape, payloads beyond the contract's size — from ordinary MQTT connections through the
 * real broker, bridge and Kafka. Every message the broker accepts ends in exactly one record of
 * {@code city.raw.*}, {@code city.acks} or {@code city.deadletter}, under its own topic; every
 * message the broker refuses (closing the publisher's connection, or counted by the embedded
 * broker's topic guard) ends in none. Compared topic by topic, as multisets, on both brokers.
 *
 * <p>The seed is printed; {@code -Dcitybrain.accounting.seed=N} replays a failing run.
 */
class BridgeAccountingITCase {

  private static final int MESSAGES = 300;
  private static final long SEED = Long.getLong("citybrain.accounting.seed", System.nanoTime());

  /** Characters a hostile or broken device may put in a topic or a payload. */
  private static final int[] ALPHABET = {
    'a', 'Z', '0', '9', '-', '_', '.', ':', '/', '/', ' ', '$', '+', '#', '<', '>', '"', '\'', '\\',
    '{', '}', ',', 0x00, 0x01, 0x0A, 0x1F, 0x7F, 0x85, 0x9F, 0xFEFF, 0xFFFD, 0xFFFF, 0xFDD0, 0x200D,
    0x202E, 0x8BBE, 0x1F6A6, 0x1D54F, 0x10FFFD,
  };

  private static final List<String> KINDS =
      List.of(
          "emergency/sos",
          "emergency/smoke",
          "traffic/probe",
          "traffic/loop",
          "utility/water",
          "community/ticket",
          "weather/rain");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TestBroker.Kind.class)
  void everyAcceptedMessageEndsInExactlyOneTopicAndNoRefusedOneDoes(TestBroker.Kind kind)
      throws Exception {
    Random random = new Random(SEED + kind.ordinal());
    System.out.printf(
        "%s: seed %d (-Dcitybrain.accounting.seed=%d replays it)%n", kind, SEED, SEED);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        TestBroker broker = TestBroker.start(kind, dir.resolve("mqtt"))) {
      KafkaTopics.create(kafka.bootstrapServers());
      try (MqttKafkaBridge bridge =
              MqttKafkaBridge.start(BridgeSettings.local(broker.url(), kafka.bootstrapServers()));
          KafkaConsumer<String, byte[]> consumer =
              KafkaTopics.bridgeOutputs(kafka.bootstrapServers())) {
        Map<String, Integer> expected = new TreeMap<>();
        int refused = 0;
        for (int i = 0; i < MESSAGES; i++) {
          byte[] topic = topic(random);
          byte[] payload = payload(random);
          long guardBefore = broker.refusedTopics();
          RawMqtt.Outcome outcome =
              RawMqtt.publish(
                  broker.url(),
                  "p-" + i,
                  topic,
                  payload,
                  10_000,
                  () -> broker.refusedTopics() > guardBefore);
          // Moquette neither acknowledges nor closes on a refused topic (MQTT 3.1.1 asks for one of
          // the two, Mosquitto closes); its topic guard counts the refusal instead.
          boolean guarded =
              kind == TestBroker.Kind.MOQUETTE && broker.refusedTopics() > guardBefore;
          if (outcome == RawMqtt.Outcome.ACKNOWLEDGED && !guarded) {
            String decoded = strictUtf8(topic);
            assertThat(decoded)
                .as("a topic the broker accepted is valid UTF-8: %s", visible(topic))
                .isNotNull();
            expected.merge(decoded, 1, Integer::sum);
          } else {
            assertThat(outcome == RawMqtt.Outcome.CLOSED || guarded)
                .as(
                    "message %d (%s) was acknowledged, or refused by closing or by the guard: %s",
                    i, visible(topic), outcome)
                .isTrue();
            refused++;
          }
        }
        // Ordered after everything above on the bridge's one connection: once it is in Kafka, the
        // rest is too.
        String canary = "city/emergency/sos/accounting-canary";
        assertThat(
                RawMqtt.publish(
                    broker.url(), "canary", canary.getBytes(StandardCharsets.UTF_8), sos(), 5_000))
            .isEqualTo(RawMqtt.Outcome.ACKNOWLEDGED);
        expected.merge(canary, 1, Integer::sum);
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();

        Map<String, Integer> landed = new TreeMap<>();
        int[] count = {0};
        java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink =
            r -> {
              landed.merge(topicOf(r), 1, Integer::sum);
              count[0]++;
            };
        KafkaTopics.pollUntil(
            consumer, sink, () -> landed.containsKey(canary) && count[0] >= total, 60_000);
        // Anything more (a message forwarded twice, a second dead letter) shows up within this.
        KafkaTopics.pollUntil(consumer, sink, () -> false, 2_000);

        System.out.printf(
            "%s: %d messages, %d accepted by the broker, %d refused; %d records%n",
            kind, MESSAGES + 1, total, refused, count[0]);
        assertThat(landed)
            .as("records in city.raw.*, city.acks and city.deadletter, by MQTT topic")
            .isEqualTo(expected);
        assertThat(bridge.metrics().snapshot().connectionsLost())
            .as("the bridge never lost its broker connection")
            .isZero();
      }
    }
  }

  private static byte[] sos() {
    return String.format(
            Locale.ROOT,
            "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"pressed\":true}",
            System.currentTimeMillis())
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] topic(Random r) {
    int p = r.nextInt(100);
    if (p < 35) {
      return ("city/" + KINDS.get(r.nextInt(KINDS.size())) + "/" + id(r))
          .getBytes(StandardCharsets.UTF_8);
    }
    if (p < 50) {
      return ("city/ack/" + id(r)).getBytes(StandardCharsets.UTF_8);
    }
    if (p < 95) {
      String prefix =
          r.nextBoolean() ? "city/" : "city/" + KINDS.get(r.nextInt(KINDS.size())) + "/";
      return (prefix + text(r, 1 + r.nextInt(20))).getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("city/emergency/sos/".getBytes(StandardCharsets.UTF_8));
    byte[] noise = new byte[1 + r.nextInt(8)];
    r.nextBytes(noise);
    b.writeBytes(noise);
    return b.toByteArray();
  }

  private static byte[] payload(Random r) {
    int p = r.nextInt(100);
    if (p < 25) {
      return sos();
    }
    if (p < 35) {
      return ("{\"by\":\"" + id(r) + "\"}").getBytes(StandardCharsets.UTF_8);
    }
    if (p < 60) {
      byte[] b = new byte[r.nextInt(300)];
      r.nextBytes(b);
      return b;
    }
    if (p < 85) {
      return text(r, r.nextInt(300)).getBytes(StandardCharsets.UTF_8);
    }
    if (p < 97) {
      Map<String, Object> json = new HashMap<>();
      for (int i = r.nextInt(6); i > 0; i--) {
        String key =
            r.nextBoolean()
                ? List.of("ts", "lat", "lon", "pressed", "by", "buildingId", "speedKmh")
                    .get(r.nextInt(7))
                : text(r, 5);
        Object value =
            switch (r.nextInt(5)) {
              case 0 -> r.nextLong();
              case 1 -> r.nextDouble() * 400 - 200;
              case 2 -> r.nextBoolean();
              case 3 -> text(r, 10);
              default -> null;
            };
        json.put(key, value);
      }
      try {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(json);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    // Beyond the contract's 64 KiB: the broker refuses it or the bridge dead-letters it.
    byte[] big = new byte[70_000 + r.nextInt(130_000)];
    r.nextBytes(big);
    return big;
  }

  private static String id(Random r) {
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    StringBuilder b = new StringBuilder();
    for (int i = 1 + r.nextInt(16); i > 0; i--) {
      b.append(chars.charAt(r.nextInt(chars.length())));
    }
    return b.toString();
  }

  private static String text(Random r, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.appendCodePoint(ALPHABET[r.nextInt(ALPHABET.length)]);
    }
    return b.toString();
  }

  /** The topic as a string when it is valid UTF-8, else null. */
  private static String strictUtf8(byte[] topic) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(topic))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String visible(byte[] topic) {
    StringBuilder b = new StringBuilder();
    for (byte x : topic) {
      b.append(
          x >= 0x21 && x < 0x7F
              ? String.valueOf((char) x)
              : String.format(Locale.ROOT, "\\x%02x", x & 0xFF));
    }
    return b.toString();
  }

  /** The MQTT topic a record came from, whichever of the three kinds of topic it is in. */
  private static String topicOf(ConsumerRecord<String, byte[]> r) {
    try {
      if (r.topic().equals(Topics.DEADLETTER)) {
        return DeadLetter.fromJson(r.value()).topic();
      }
      if (r.topic().equals(Topics.ACKS)) {
        return "city/ack/" + r.key();
      }
      Envelope e = EnvelopeCodec.decode(r.value());
      return "city/" + e.domain() + "/" + e.kind() + "/" + e.deviceId();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable record in " + r.topic(), e);
    }
  }
}
