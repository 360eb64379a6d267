package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.IngestCorpus;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bad-input corpus through the real broker, bridge and Kafka: each bad case lands in {@code
 * city.deadletter} with its reason, topic and raw bytes and is counted; each valid edge case
 * reaches its raw topic (or {@code city.acks}) and not the dead-letter topic. Each case is followed
 * by a canary SOS that must reach Kafka before the next case is sent.
 */
class BridgeCorpusITCase {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TestBroker.Kind.class)
  void everyBadMessageIsDeadLetteredWithItsReasonAndNoValidOneIs(TestBroker.Kind kind)
      throws Exception {
    List<IngestCorpus.Case> whole = IngestCorpus.all(System.currentTimeMillis());
    // The embedded broker refuses a packet beyond its bound (the 10 MB case): it never reaches the
    // bridge.
    java.util.function.Predicate<IngestCorpus.Case> brokerRefuses =
        c ->
            kind == TestBroker.Kind.MOQUETTE
                && c.payload().length + c.topic().length()
                    > io.citybrain.embedded.EmbeddedMqttBroker.MAX_PACKET_BYTES;
    List<IngestCorpus.Case> corpus = whole.stream().filter(brokerRefuses.negate()).toList();
    List<IngestCorpus.Case> refused = whole.stream().filter(brokerRefuses).toList();
    assertThat(refused.size())
        .as("cases the embedded broker refuses")
        .isEqualTo(kind == TestBroker.Kind.MOQUETTE ? 1 : 0);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        TestBroker broker = TestBroker.start(kind, dir.resolve("mqtt"))) {
      KafkaTopics.create(kafka.bootstrapServers());
      try (MqttKafkaBridge bridge =
              MqttKafkaBridge.start(BridgeSettings.local(broker.url(), kafka.bootstrapServers()));
          KafkaConsumer<String, byte[]> consumer =
              KafkaTopics.bridgeOutputs(kafka.bootstrapServers())) {
        Map<String, List<DeadLetter>> deadByTopic = new HashMap<>();
        Map<String, String> acceptedKeys = new HashMap<>(); // Kafka key -> Kafka topic
        java.util.function.Consumer<
                org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>
            sink =
                r -> {
                  if (r.topic().equals(Topics.DEADLETTER)) {
                    DeadLetter d = DeadLetter.fromJson(r.value());
                    deadByTopic.computeIfAbsent(d.topic(), t -> new ArrayList<>()).add(d);
                  } else {
                    acceptedKeys.put(r.key(), r.topic());
                  }
                };
        int canaries = publishEachWithACanary(broker.url(), corpus, consumer, sink, acceptedKeys);
        for (IngestCorpus.Case c : refused) {
          assertThat(
                  RawMqtt.publish(
                      broker.url(),
                      "corpus-oversized",
                      c.topic().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                      c.payload(),
                      10_000))
              .as("%s: the broker closes the connection", c)
              .isEqualTo(RawMqtt.Outcome.CLOSED);
        }

        boolean all =
            KafkaTopics.pollUntil(
                consumer,
                sink,
                () ->
                    deadByTopic.values().stream().mapToInt(List::size).sum()
                            >= corpus.stream().filter(c -> !c.accepted()).count()
                        && acceptedKeys.size()
                            >= corpus.stream().filter(IngestCorpus.Case::accepted).count()
                                + canaries,
                60_000);
        assertThat(all)
            .as("every case reached Kafka; dead letters by topic: %s", deadByTopic.keySet())
            .isTrue();

        for (IngestCorpus.Case c : corpus) {
          List<DeadLetter> dead =
              deadByTopic.getOrDefault(c.topic(), List.of()).stream()
                  .filter(d -> carries(d, c.payload()))
                  .toList();
          if (c.accepted()) {
            assertThat(dead).as("%s must not be dead-lettered", c).isEmpty();
            // A reading's key is its device id; an acknowledgement's its alert id, also when the
            // topic names the user.
            String[] levels = c.topic().split("/");
            String key = levels[1].equals("ack") ? levels[2] : levels[levels.length - 1];
            assertThat(acceptedKeys).as("%s must reach Kafka", c).containsKey(key);
          } else {
            assertThat(dead).as("%s must be dead-lettered once", c).hasSize(1);
            assertThat(dead.get(0).reason())
                .as("%s: %s", c, dead.get(0).detail())
                .isEqualTo(c.expectedReason());
            assertThat(dead.get(0).stage()).isEqualTo("bridge");
          }
        }
        Map<String, Long> expectedByReason =
            corpus.stream()
                .filter(c -> !c.accepted())
                .collect(
                    Collectors.groupingBy(
                        IngestCorpus.Case::expectedReason, Collectors.counting()));
        long forwarded = corpus.stream().filter(IngestCorpus.Case::accepted).count() + canaries;
        // The bridge counts in the producer's callback, which may run after the consumer read the
        // record.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  BridgeMetrics.Snapshot m = bridge.metrics().snapshot();
                  assertThat(m.deadLetters()).isEqualTo(expectedByReason);
                  assertThat(m.forwarded()).isEqualTo(forwarded);
                  assertThat(m.inFlight()).isZero();
                });
        assertThat(Set.copyOf(acceptedKeys.values())).doesNotContain(Topics.DEADLETTER);
      }
    }
  }

  /**
   * Publishes every case, each followed by a valid SOS from a canary device that must reach Kafka
   * before the next case goes: no case, however bad, stops or stalls the bridge. Returns the number
   * of canaries.
   */
  private static int publishEachWithACanary(
      String url,
      List<IngestCorpus.Case> corpus,
      KafkaConsumer<String, byte[]> consumer,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>>
          sink,
      Map<String, String> acceptedKeys)
      throws Exception {
    MqttClient client =
        new MqttClient(
            url, "corpus-device", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    // Paho's synchronous publish can return before the client has counted the PUBACK against its
    // in-flight window; on a loaded machine the default window of 10 then fills with acknowledged
    // messages ("Too many publishes in progress"). The window is the test device's, not the
    // bridge's.
    o.setMaxInflight(1000);
    client.connect(o);
    int n = 0;
    try {
      for (IngestCorpus.Case c : corpus) {
        client.publish(c.topic(), c.payload(), 1, false);
        String canary = "corpus-canary-" + n++;
        byte[] sos =
            String.format(
                    java.util.Locale.ROOT,
                    "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"pressed\":true}",
                    System.currentTimeMillis())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        client.publish("city/emergency/sos/" + canary, sos, 1, false);
        assertThat(
                KafkaTopics.pollUntil(
                    consumer, sink, () -> acceptedKeys.containsKey(canary), 30_000))
            .as("the canary after %s reached Kafka (the bridge still consumes)", c)
            .isTrue();
      }
    } finally {
      client.disconnect();
      client.close();
    }
    return n;
  }

  /**
   * Whether {@code d} is the dead letter of {@code sent}: its bytes, or beyond what a dead letter
   * carries, their first bytes with the whole message's length and SHA-256.
   */
  private static boolean carries(DeadLetter d, byte[] sent) {
    return sent.length > DeadLetter.MAX_CARRIED_BYTES
        ? java.util.Arrays.equals(
                d.rawPayload(), java.util.Arrays.copyOf(sent, DeadLetter.CUT_PAYLOAD_BYTES))
            && d.detail().contains(DeadLetter.fingerprint(sent, DeadLetter.CUT_PAYLOAD_BYTES))
        : java.util.Arrays.equals(d.rawPayload(), sent);
  }
}
