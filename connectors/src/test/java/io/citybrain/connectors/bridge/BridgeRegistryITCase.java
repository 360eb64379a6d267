package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real broker (Moquette), bridge and Kafka: a registered fixed device that sends no
 * position reaches its raw topic placed where the registry says; an unregistered one reaches the
 * dead-letter topic with reason {@code missing-position}; a registered id speaking as another kind
 * with reason {@code wrong-kind}.
 */
class BridgeRegistryITCase {

  @TempDir Path dir;

  @Test
  void registeredDevicesArePlacedAndUnknownOnesAreDeadLettered() throws Exception {
    Path csv = dir.resolve("devices.csv");
    DeviceRegistry.write(
        csv,
        List.of(
            new RegisteredDevice(
                "water-000001",
                "utility",
                "water",
                30.2741,
                120.1551,
                "330106",
                null,
                null,
                "W-3",
                null)));
    String reading =
        "{\"ts\":" + System.currentTimeMillis() + ",\"flowM3h\":12.5,\"pressureKPa\":310}";
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("mqtt"))) {
      KafkaTopics.create(kafka.bootstrapServers());
      try (MqttKafkaBridge bridge =
              MqttKafkaBridge.start(
                  BridgeSettings.local(broker.url(), kafka.bootstrapServers()).withRegistry(csv));
          KafkaConsumer<String, byte[]> consumer =
              KafkaTopics.consumer(
                  kafka.bootstrapServers(), List.of(Topics.RAW_UTILITY, Topics.DEADLETTER))) {
        MqttClient device =
            new MqttClient(broker.url(), "registry-device", new MemoryPersistence());
        device.connect();
        device.publish(
            "city/utility/water/water-000001", reading.getBytes(StandardCharsets.UTF_8), 1, false);
        device.publish(
            "city/utility/water/water-999999", reading.getBytes(StandardCharsets.UTF_8), 1, false);
        // The meter's id raising an SOS, with a position of its choosing: refused, whatever it
        // sends.
        device.publish(
            "city/emergency/sos/water-000001",
            ("{\"ts\":"
                    + System.currentTimeMillis()
                    + ",\"lat\":30.2445,\"lon\":120.1445,\"pressed\":true}")
                .getBytes(StandardCharsets.UTF_8),
            1,
            false);
        device.disconnect();
        device.close();

        Map<String, Envelope> placed = new HashMap<>();
        Map<String, DeadLetter> dead = new HashMap<>();
        boolean both =
            KafkaTopics.pollUntil(
                consumer,
                r -> {
                  if (r.topic().equals(Topics.DEADLETTER)) {
                    DeadLetter d = DeadLetter.fromJson(r.value());
                    dead.put(d.topic(), d);
                  } else {
                    placed.put(r.key(), decode(r.value()));
                  }
                },
                () -> placed.size() + dead.size() >= 3,
                60_000);
        assertThat(both).as("placed %s, dead %s", placed.keySet(), dead.keySet()).isTrue();

        Envelope e = placed.get("water-000001");
        assertThat(e).isNotNull();
        assertThat(e.lat()).isEqualTo(30.2741);
        assertThat(e.lon()).isEqualTo(120.1551);
        assertThat(e.number("pressureKPa")).isEqualTo(310.0);
        DeadLetter d = dead.get("city/utility/water/water-999999");
        assertThat(d).isNotNull();
        assertThat(d.reason()).isEqualTo("missing-position");
        assertThat(d.detail()).contains("not registered");
        assertThat(placed).doesNotContainKey("water-999999");
        assertThat(dead.get("city/emergency/sos/water-000001").reason()).isEqualTo("wrong-kind");
        // Counted in the producer's callback, which may run after the consumer read the record.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(bridge.metrics().snapshot().forwarded()).isEqualTo(1));
      }
    }
  }

  private static Envelope decode(byte[] json) {
    try {
      return EnvelopeCodec.decode(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
