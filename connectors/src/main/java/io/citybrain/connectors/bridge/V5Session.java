package io.citybrain.connectors.bridge;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 through Paho's mqttv5 client. Persistence is "clean start off" plus a session expiry
 * interval (MQTT 5 drops a session at disconnect unless told to keep it); the broker's in-flight
 * window towards the bridge is the bridge's own bound (Receive Maximum).
 */
final class V5Session extends PahoSession implements MqttCallback {
  private static final Logger LOG = LoggerFactory.getLogger(V5Session.class);
  /** MQTT 5 CONNACK reason codes that are decisions of the broker. */
  private static final int CLIENT_ID_NOT_VALID = 0x85;
  private static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
  private static final int NOT_AUTHORIZED = 0x87;
  private static final int BANNED = 0x8A;
  private static final int BAD_AUTHENTICATION_METHOD = 0x8C;

  private final MqttAsyncClient client;

  V5Session(BridgeSettings settings, SocketFactory tls, Listener listener) throws Failure {
    super(settings, tls, listener);
    client = checked(() -> new MqttAsyncClient(settings.mqttUrl(), settings.clientId(), new MemoryPersistence()));
    client.setManualAcks(true);
    client.setCallback(this);
  }

  @Override
  void connect(long timeoutMs) throws MqttException {
    client.connect(options(timeoutMs)).waitForCompletion(timeoutMs);
  }

  @Override
  int[] subscribe(long timeoutMs) throws MqttException {
    IMqttToken sub = client.subscribe(settings.subscription(), 1);
    sub.waitForCompletion(timeoutMs);
    return sub.getReasonCodes();
  }

  private MqttConnectionOptions options(long timeoutMs) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(settings.sessionExpirySeconds());
    o.setAutomaticReconnect(false);
    o.setReceiveMaximum(Math.min(65_535, Math.max(10, settings.maxInFlight())));
    o.setKeepAliveInterval(KEEP_ALIVE_S);
    o.setConnectionTimeout(connectionTimeoutSeconds(timeoutMs));
    if (settings.username() != null) {
      o.setUserName(settings.username());
      char[] p = settings.password() == null ? new char[0] : settings.password();
      ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(p));
      byte[] bytes = new byte[utf8.remaining()];
      utf8.get(bytes);
      o.setPassword(bytes);
      if (utf8.hasArray()) {
        Arrays.fill(utf8.array(), (byte) 0);
      }
    }
    if (tls != null) {
      o.setSocketFactory(tls);
    }
    return o;
  }

  @Override
  int reasonCode(Exception e) {
    return ((MqttException) e).getReasonCode();
  }

  @Override
  boolean refusal(int code) {
    return code == CLIENT_ID_NOT_VALID || code == BAD_USER_NAME_OR_PASSWORD || code == NOT_AUTHORIZED
        || code == BANNED || code == BAD_AUTHENTICATION_METHOD;
  }

  @Override
  public void ack(int messageId, int qos) throws Exception {
    client.messageArrivedComplete(messageId, qos);
  }

  @Override
  void disconnectForcibly() throws MqttException {
    client.disconnectForcibly(0, 1000, false);
  }

  @Override
  void disconnect() throws MqttException {
    client.disconnect(2000).waitForCompletion(5000);
  }

  @Override
  void closeClient() throws MqttException {
    client.close(true);
  }

  @Override
  public boolean isConnected() {
    return client.isConnected();
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    listener.lost(response.getException() != null ? response.getException()
        : new IllegalStateException("broker disconnected: " + response.getReasonString() + " (reason " + response.getReturnCode() + ")"));
  }

  // Not a lost connection (that comes through disconnected()): e.g. a protocol error the client survived.
  @Override
  public void mqttErrorOccurred(MqttException e) {
    LOG.warn("bridge {}: MQTT 5 client error: {}", settings.clientId(), e.toString());
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    listener.arrived(topic, message.getPayload(), message.getId(), message.getQos());
  }

  @Override
  public void deliveryComplete(IMqttToken token) {}

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
