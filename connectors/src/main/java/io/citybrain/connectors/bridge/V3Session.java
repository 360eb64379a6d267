package io.citybrain.connectors.bridge;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** MQTT 3.1.1: persistence is "clean session off". */
final class V3Session extends HiveSession {

  private final Mqtt3AsyncClient client;

  V3Session(BridgeSettings settings, MqttClientSslConfig tls, Listener listener) {
    super(settings, tls, listener);
    Mqtt3ClientBuilder b =
        MqttClient.builder()
            .useMqttVersion3()
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
    Mqtt3ConnectBuilder.Send<
            CompletableFuture<com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck>>
        c = client.connectWith().cleanSession(false).keepAlive(KEEP_ALIVE_S);
    if (settings.username() != null) {
      c =
          c.simpleAuth()
              .username(settings.username())
              .password(utf8(settings.password()))
              .applySimpleAuth();
    }
    return c.send();
  }

  static ByteBuffer utf8(char[] password) {
    return StandardCharsets.UTF_8.encode(
        CharBuffer.wrap(password == null ? new char[0] : password));
  }

  @Override
  CompletableFuture<Boolean> subscribe() {
    return client
        .subscribeWith()
        .topicFilter(settings.subscription())
        .qos(MqttQos.AT_LEAST_ONCE)
        .send()
        .thenApply(
            ack ->
                ack.getReturnCodes().stream().noneMatch(c -> c == Mqtt3SubAckReturnCode.FAILURE));
  }

  @Override
  boolean refusal(Throwable e) {
    if (e instanceof Mqtt3ConnAckException c) {
      Mqtt3ConnAckReturnCode code = c.getMqttMessage().getReturnCode();
      return code == Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD
          || code == Mqtt3ConnAckReturnCode.NOT_AUTHORIZED
          || code == Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED;
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
