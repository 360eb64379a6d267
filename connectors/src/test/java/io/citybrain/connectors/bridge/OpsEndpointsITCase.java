package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.dispatch.AlertDispatcher;
import io.citybrain.connectors.dispatch.DispatchMain;
import io.citybrain.connectors.dispatch.DispatchSettings;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.connectors.ops.OpsServer;
import io.citybrain.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge's and the dispatcher's operations endpoints (issue 21) on the real parts: a scrape
 * counts an outside client's readings by domain and outcome, and the Kafka clients' own metrics are
 * there; readiness turns false when Kafka stops and true again when it comes back.
 */
class OpsEndpointsITCase {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aScrapeCountsReadingsByOutcomeAndAStoppedKafkaMakesBothUnready(@TempDir Path dir)
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    String bootstrap = kafka.bootstrapServers();
    int kafkaPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    KafkaTopics.create(bootstrap);
    Properties p = new Properties();
    p.setProperty("bridge.http.port", "0");
    p.setProperty("bridge.http.host", "127.0.0.1");
    p.setProperty("dispatch.http.port", "0");
    p.setProperty("dispatch.http.host", "127.0.0.1");
    try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("mqtt"));
        MqttKafkaBridge bridge =
            MqttKafkaBridge.start(BridgeSettings.local(broker.url(), bootstrap));
        KafkaProbe bridgeProbe = new KafkaProbe(bootstrap, KafkaSecurity.NONE, "bridge-probe");
        OpsServer bridgeOps = BridgeMain.startOps(p, bridge, bridgeProbe);
        AlertDispatcher dispatcher =
            AlertDispatcher.start(DispatchSettings.local(bootstrap, broker.url(), null));
        KafkaProbe dispatchProbe = new KafkaProbe(bootstrap, KafkaSecurity.NONE, "dispatch-probe");
        OpsServer dispatchOps = DispatchMain.startOps(p, dispatcher, dispatchProbe)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(get(bridgeOps, "/health/ready").statusCode()).isEqualTo(200);
                assertThat(get(dispatchOps, "/health/ready").statusCode()).isEqualTo(200);
              });
      assertThat(get(bridgeOps, "/health/live").statusCode()).isEqualTo(200);

      MqttClient device = new MqttClient(broker.url(), "sos-ops-1", new MemoryPersistence());
      device.connect(new MqttConnectOptions());
      long now = System.currentTimeMillis();
      device.publish(
          "city/emergency/sos/sos-ops-1",
          ("{\"ts\":" + now + ",\"lat\":30.27,\"lon\":120.16,\"pressed\":true}")
              .getBytes(StandardCharsets.UTF_8),
          1,
          false);
      device.publish(
          "city/emergency/sos/sos-ops-1", "not json".getBytes(StandardCharsets.UTF_8), 1, false);
      device.disconnect();
      device.close();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String metrics = get(bridgeOps, "/metrics").body();
                assertThat(metrics)
                    .contains(
                        "citybrain_bridge_messages_total{domain=\"emergency\",outcome=\"stored\",reason=\"none\"} 1.0")
                    .containsPattern(
                        "citybrain_bridge_messages_total\\{domain=\"emergency\",outcome=\"dead_letter\",reason=\"[a-z-]+\"} 1.0")
                    .contains("citybrain_bridge_subscribed 1.0")
                    .contains("kafka_producer_")
                    .contains("jvm_memory_used_bytes");
              });
      assertThat(get(dispatchOps, "/metrics").body())
          .contains("citybrain_dispatch_alerts_total{outcome=\"published\",reason=\"none\"}")
          .contains("citybrain_dispatch_mqtt_connected 1.0")
          .contains("kafka_consumer_");

      kafka.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                HttpResponse<String> ready = get(bridgeOps, "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body())
                    .contains("\"status\":\"DOWN\"")
                    .contains("Kafka does not answer");
                assertThat(get(dispatchOps, "/health/ready").statusCode()).isEqualTo(503);
              });
      assertThat(get(bridgeOps, "/health/live").statusCode())
          .as("alive while Kafka is away")
          .isEqualTo(200);

      kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort, Map.of());
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(get(bridgeOps, "/health/ready").statusCode()).isEqualTo(200);
                assertThat(get(dispatchOps, "/health/ready").statusCode()).isEqualTo(200);
              });
    } finally {
      kafka.close();
    }
  }

  private static HttpResponse<String> get(OpsServer ops, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(ops.url() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
