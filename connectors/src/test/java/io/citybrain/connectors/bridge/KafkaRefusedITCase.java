package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record Kafka refuses for itself alone becomes a {@code kafka-refused} dead letter, never a
 * reconnect loop (issue 23): a reading larger than its topic takes (here a community topic that
 * takes no record at all), and an acknowledgement stamped half an hour ago, which the bridge
 * accepts (within {@code bridge.max-reading-age}) but {@code city.acks}, set here to take records
 * at most ten minutes old ({@code message.timestamp.before.max.ms}), refuses. (An ack from the
 * future no longer reaches Kafka: the bridge dead-letters it {@code future-timestamp}.) The dead
 * letter keeps the payload's first 1,024 bytes, its length and its SHA-256; the messages around
 * them go through, and the bridge keeps its one broker connection.
 */
class KafkaRefusedITCase {

  @TempDir Path dir;

  @Test
  void aRecordKafkaRefusesIsDeadLetteredWithADigestAndTheBridgeGoesOn() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("mqtt"))) {
      KafkaTopics.create(kafka.bootstrapServers());
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        // The community topic takes no record at all: any ticket is "too large" for it.
        admin
            .incrementalAlterConfigs(
                Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, Topics.RAW_COMMUNITY),
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("max.message.bytes", "64"), AlterConfigOp.OpType.SET)),
                    new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACKS),
                    List.of(
                        new AlterConfigOp(
                            new ConfigEntry("message.timestamp.before.max.ms", "600000"),
                            AlterConfigOp.OpType.SET))))
            .all()
            .get();
        // The change reaches the broker through the metadata log, after the call returns: on a busy
        // machine a record produced at once was still taken under the old limit.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  var configs =
                      admin
                          .describeConfigs(
                              List.of(
                                  new ConfigResource(
                                      ConfigResource.Type.TOPIC, Topics.RAW_COMMUNITY),
                                  new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACKS)))
                          .all()
                          .get();
                  return configs
                          .get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.RAW_COMMUNITY))
                          .get("max.message.bytes")
                          .value()
                          .equals("64")
                      && configs
                          .get(new ConfigResource(ConfigResource.Type.TOPIC, Topics.ACKS))
                          .get("message.timestamp.before.max.ms")
                          .value()
                          .equals("600000");
                });
      }
      try (MqttKafkaBridge bridge =
              MqttKafkaBridge.start(BridgeSettings.local(broker.url(), kafka.bootstrapServers()));
          KafkaConsumer<String, byte[]> consumer =
              KafkaTopics.consumer(
                  kafka.bootstrapServers(),
                  List.of(
                      Topics.DEADLETTER,
                      Topics.ACKS,
                      Topics.RAW_EMERGENCY,
                      Topics.RAW_COMMUNITY))) {
        long now = System.currentTimeMillis();
        String sos =
            String.format(
                Locale.ROOT, "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"pressed\":true", now);
        // A ticket whose text makes the payload longer than the 1,024 bytes a dead letter keeps.
        byte[] big =
            String.format(
                    Locale.ROOT,
                    "{\"ts\":%d,\"lat\":30.2445,\"lon\":120.1445,\"ticketId\":\"T-1\","
                        + "\"category\":\"water\",\"status\":\"opened\",\"note\":\"%s\"}",
                    now,
                    "x".repeat(3_000))
                .getBytes(StandardCharsets.UTF_8);
        byte[] old =
            String.format(Locale.ROOT, "{\"by\":\"officer-li\",\"ts\":%d}", now - 30 * 60_000L)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(publish(broker, "big-ticket", "city/community/ticket/big-1", big))
            .isEqualTo(RawMqtt.Outcome.ACKNOWLEDGED);
        assertThat(publish(broker, "old-ack", "city/ack/sos-1-x", old))
            .isEqualTo(RawMqtt.Outcome.ACKNOWLEDGED);
        assertThat(
                publish(
                    broker,
                    "canary",
                    "city/emergency/sos/canary-1",
                    (sos + "}").getBytes(StandardCharsets.UTF_8)))
            .isEqualTo(RawMqtt.Outcome.ACKNOWLEDGED);

        Map<String, DeadLetter> dead = new HashMap<>();
        Map<String, String> stored = new HashMap<>();
        boolean all =
            KafkaTopics.pollUntil(
                consumer,
                r -> {
                  if (r.topic().equals(Topics.DEADLETTER)) {
                    DeadLetter d = DeadLetter.fromJson(r.value());
                    dead.put(d.topic(), d);
                  } else {
                    stored.put(r.key(), r.topic());
                  }
                },
                () -> dead.size() >= 2 && stored.containsKey("canary-1"),
                60_000);
        assertThat(all).as("dead letters %s, records %s", dead.keySet(), stored).isTrue();

        DeadLetter tooBig = dead.get("city/community/ticket/big-1");
        assertThat(tooBig.reason()).isEqualTo("kafka-refused");
        assertThat(tooBig.stage()).isEqualTo("bridge");
        assertThat(tooBig.key()).isEqualTo("big-1");
        assertThat(tooBig.detail())
            .contains("RecordTooLargeException")
            .contains("payload " + big.length + " bytes")
            .contains("SHA-256 " + sha256(big))
            .contains("cut to its first 1024 bytes");
        assertThat(tooBig.rawPayload()).isEqualTo(Arrays.copyOf(big, 1024));

        DeadLetter lateAck = dead.get("city/ack/sos-1-x");
        assertThat(lateAck.reason()).isEqualTo("kafka-refused");
        assertThat(lateAck.detail())
            .contains("InvalidTimestampException")
            .contains("SHA-256 " + sha256(old));
        assertThat(lateAck.rawPayload()).isEqualTo(old);

        assertThat(stored)
            .containsEntry("canary-1", Topics.RAW_EMERGENCY)
            .doesNotContainKey("big-1");
        // The bridge counts a dead letter in the producer's callback, which may run after a
        // consumer has already read the record: a CI run of 2026-12-07 read the counts first.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  BridgeMetrics.Snapshot m = bridge.metrics().snapshot();
                  assertThat(m.deadLetters()).containsEntry("kafka-refused", 2L);
                  assertThat(m.inFlight()).isZero();
                });
        BridgeMetrics.Snapshot m = bridge.metrics().snapshot();
        assertThat(m.connectionsLost()).as("no reconnect loop").isZero();
        assertThat(m.connects()).isEqualTo(1);
      }
    }
  }

  private static RawMqtt.Outcome publish(
      TestBroker broker, String client, String topic, byte[] payload) throws Exception {
    return RawMqtt.publish(
        broker.url(), client, topic.getBytes(StandardCharsets.UTF_8), payload, 5_000);
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
