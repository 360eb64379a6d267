package io.citybrain.connectors.bridge;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import java.util.concurrent.CompletableFuture;

/**
 * MQTT 5: persistence is "clean start off" plus a session expiry interval (MQTT 5 drops a session
 * at disconnect unless told to keep it).
 *
 * <p>Receive Maximum is the protocol's largest, 65,535, not {@code bridge.max-in-flight}: Mosquitto
 * 2.0.11 was measured (BridgeBenchmark, 50,000 queued messages) sending more unacknowledged QoS 1
 * messages than a Receive Maximum of 10,000, which the HiveMQ client treats as a protocol error (it
 * logs one ERROR per message and drops the connection), so the drain fell from ~20,000 to 1,543
 * msg/s. The bridge's own bound still holds: its in-flight permits block the listener thread, and
 * what the broker sends meanwhile waits in the client's buffer (by the protocol, at most 65,535
 * unacknowledged messages; readings are ~100 bytes, the contract's largest payload 64 KiB).
 */
final class V5Session extends HiveSession {

  private final Mqtt5AsyncClient client;

  V5Session(BridgeSettings settings, MqttClientSslConfig tls, Listener listener) {
    super(settings, tls, listener);
    Mqtt5ClientBuilder b =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier(settings.clientId())
            .serverHost(host)
            .serverPort(port)
            .executorConfig(NETWORK)
            .addDisconnectedListener(ctx -> lost(ctx.getCause()));
    if (tls != null) {
      b = b.sslConfig(tls);
    }
    client = b.buildAsync();
    client.publishes(
        MqttGlobalPublishFilter.ALL,
        p -> arrived(p.getTopic().toString(), p.getPayloadAsBytes(), p::acknowledge),
        callbacks,
        true);
  }

  @Override
  CompletableFuture<?> connect() {
    var c =
        client
            .connectWith()
            .cleanStart(false)
            .sessionExpiryInterval(settings.sessionExpirySeconds())
            .keepAlive(KEEP_ALIVE_S)
            .restrictions()
            .receiveMaximum(65_535)
            .applyRestrictions();
    if (settings.username() != null) {
      c =
          c.simpleAuth()
              .username(settings.username())
              .password(V3Session.utf8(settings.password()))
              .applySimpleAuth();
    }
    return c.send();
  }

  @Override
  CompletableFuture<Boolean> subscribe() {
    return client
        .subscribeWith()
        .topicFilter(settings.subscription())
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .thenApply(ack -> ack.getReasonCodes().stream().noneMatch(c -> c.isError()));
  }

  @Override
  boolean refusal(Throwable e) {
    if (e instanceof Mqtt5ConnAckException c) {
      Mqtt5ConnAckReasonCode code = c.getMqttMessage().getReasonCode();
      return code == Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID
          || code == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD
          || code == Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
          || code == Mqtt5ConnAckReasonCode.BANNED
          || code == Mqtt5ConnAckReasonCode.BAD_AUTHENTICATION_METHOD;
    }
    return false;
  }

  @Override
  CompletableFuture<Void> disconnect() {
    return client.disconnect();
  }

  @Override
  public boolean isConnected() {
    return client.getState().isConnected();
  }
}
