package io.citybrain.connectors.bridge;

/**
 * Bridge settings the tests vary beyond what a deployment sets in code: production takes them from
 * {@code bridge.mqtt.client-id}, {@code bridge.mqtt.subscription} and {@code bridge.mqtt.version}
 * ({@link BridgeSettings#fromProperties}); here they go through the same validation.
 */
public final class TestBridgeSettings {
  private TestBridgeSettings() {}

  /** {@code s} speaking another MQTT version. */
  public static BridgeSettings speaking(BridgeSettings s, BridgeSettings.MqttVersion version) {
    return with(s, s.clientId(), s.subscription(), version);
  }

  /** Another bridge instance of {@code s}: its own client id and subscription. */
  public static BridgeSettings instance(BridgeSettings s, String clientId, String subscription) {
    return with(s, clientId, subscription, s.mqttVersion());
  }

  private static BridgeSettings with(
      BridgeSettings s, String clientId, String subscription, BridgeSettings.MqttVersion version) {
    return new BridgeSettings(
        s.mqttUrl(),
        clientId,
        s.username(),
        s.password(),
        s.kafkaBootstrap(),
        subscription,
        s.maxInFlight(),
        s.truststorePath(),
        s.truststorePassword(),
        s.reconnectMinMs(),
        s.reconnectMaxMs(),
        version,
        s.sessionExpirySeconds(),
        s.caFile(),
        s.keystorePath(),
        s.keystorePassword(),
        s.registryPath(),
        s.kafkaSecurity(),
        s.maxReadingAge(),
        s.usersPath());
  }
}
