package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.influx.InfluxSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Settings of alert dispatch. Validated on construction; a wrong value names its key. The password
 * and the webhook URLs (which may carry a secret in their query) never appear in {@link #toString()}.
 *
 * @param mqttUsername null to connect anonymously (the local city without {@code --mqtt-users})
 * @param webhooks where each alert is also POSTed as JSON; empty for none
 * @param webhookRetries retries of one webhook call on I/O errors, 408, 429 and 5xx, 0..20
 * @param webhookTimeout connect and response timeout of one call
 * @param store where each alert also lands in the {@code alert} measurement; null for nowhere
 */
public record DispatchSettings(String kafkaBootstrap, String mqttUrl, String clientId, String mqttUsername,
    char[] mqttPassword, List<URI> webhooks, int webhookRetries, Duration webhookTimeout, InfluxSettings store) {

  public DispatchSettings {
    require(kafkaBootstrap, "dispatch.kafka.bootstrap-servers");
    require(mqttUrl, "dispatch.mqtt.url");
    require(clientId, "dispatch.mqtt.client-id");
    if (!mqttUrl.startsWith("tcp://") && !mqttUrl.startsWith("ssl://")) {
      throw new IllegalArgumentException("dispatch.mqtt.url must start with tcp:// or ssl://, got '" + mqttUrl + "'");
    }
    if (mqttUsername != null && mqttPassword == null) {
      throw new IllegalArgumentException("dispatch.mqtt.password must be set when dispatch.mqtt.username is");
    }
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    for (URI w : webhooks) {
      if (!"http".equals(w.getScheme()) && !"https".equals(w.getScheme()) || w.getHost() == null) {
        throw new IllegalArgumentException("dispatch.webhooks must be http:// or https:// URLs, got one with scheme '"
            + w.getScheme() + "'");
      }
    }
    if (webhookRetries < 0 || webhookRetries > 20) {
      throw new IllegalArgumentException("dispatch.webhook.retries must be within 0..20, got " + webhookRetries);
    }
    if (webhookTimeout == null || webhookTimeout.toMillis() < 100 || webhookTimeout.toMinutes() > 1) {
      throw new IllegalArgumentException("dispatch.webhook.timeout must be within 100ms..1min, got " + webhookTimeout);
    }
  }

  /** The local city's dispatcher: anonymous MQTT unless credentials are given, no webhooks. */
  public static DispatchSettings local(String kafkaBootstrap, String mqttUrl, InfluxSettings store) {
    return new DispatchSettings(kafkaBootstrap, mqttUrl, "citybrain-dispatch-1", null, null, List.of(), 5,
        Duration.ofSeconds(10), store);
  }

  public DispatchSettings withMqttCredentials(String username, char[] password) {
    return new DispatchSettings(kafkaBootstrap, mqttUrl, clientId, username, password, webhooks, webhookRetries,
        webhookTimeout, store);
  }

  public DispatchSettings withWebhooks(List<URI> urls, int retries) {
    return new DispatchSettings(kafkaBootstrap, mqttUrl, clientId, mqttUsername, mqttPassword, urls, retries,
        webhookTimeout, store);
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must be set");
    }
  }

  /** A webhook as logs and dead letters show it: without user info or query, which may hold a secret. */
  static String redacted(URI webhook) {
    return webhook.getScheme() + "://" + webhook.getHost() + (webhook.getPort() == -1 ? "" : ":" + webhook.getPort())
        + (webhook.getPath() == null ? "" : webhook.getPath());
  }

  @Override
  public String toString() {
    return "DispatchSettings[kafka=" + kafkaBootstrap + ", mqttUrl=" + mqttUrl + ", clientId=" + clientId
        + ", mqttUsername=" + mqttUsername + ", webhooks=" + webhooks.stream().map(DispatchSettings::redacted).toList()
        + ", webhookRetries=" + webhookRetries + ", store=" + store + "]";
  }
}
