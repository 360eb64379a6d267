package io.citybrain.connectors.bridge;

import java.util.Objects;

/**
 * Settings of one bridge instance. Validated on construction; a wrong value names its key.
 *
 * @param mqttUrl e.g. {@code tcp://broker:1883}
 * @param clientId the MQTT client id; it names the persistent session, so it must be stable
 *     across restarts of the same instance and different between instances
 * @param subscription the topic filter; {@code city/#} so that unknown domains reach the dead-letter
 *     topic instead of being ignored
 */
public record BridgeSettings(String mqttUrl, String clientId, String username, char[] password,
    String kafkaBootstrap, String subscription) {

  public BridgeSettings {
    require(mqttUrl, "bridge.mqtt.url");
    require(clientId, "bridge.mqtt.client-id");
    require(kafkaBootstrap, "bridge.kafka.bootstrap-servers");
    require(subscription, "bridge.mqtt.subscription");
    if (!mqttUrl.startsWith("tcp://") && !mqttUrl.startsWith("ssl://")) {
      throw new IllegalArgumentException("bridge.mqtt.url must start with tcp:// or ssl://, got '" + mqttUrl + "'");
    }
  }

  public static BridgeSettings local(String mqttUrl, String kafkaBootstrap) {
    return new BridgeSettings(mqttUrl, "citybrain-bridge-1", null, null, kafkaBootstrap, "city/#");
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must be set");
    }
  }

  @Override
  public String toString() {
    // Never the password.
    return "BridgeSettings[mqttUrl=" + mqttUrl + ", clientId=" + clientId + ", username=" + username
        + ", kafka=" + kafkaBootstrap + ", subscription=" + subscription + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BridgeSettings b && mqttUrl.equals(b.mqttUrl) && clientId.equals(b.clientId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mqttUrl, clientId);
  }
}
