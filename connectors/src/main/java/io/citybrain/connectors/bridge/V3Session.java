package io.citybrain.connectors.bridge;

import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** MQTT 3.1.1 through Paho's mqttv3 client: persistence is "clean session off". */
final class V3Session extends PahoSession implements MqttCallback {

  private final MqttAsyncClient client;

  V3Session(BridgeSettings settings, SocketFactory tls, Listener listener) throws Failure {
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
    return sub.getGrantedQos();
  }

  private MqttConnectOptions options(long timeoutMs) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(false);
    // The bridge reconnects itself: with backoff and jitter, and a fresh session object each time.
    o.setAutomaticReconnect(false);
    o.setMaxInflight(Math.max(10, settings.maxInFlight()));
    o.setKeepAliveInterval(KEEP_ALIVE_S);
    o.setConnectionTimeout(connectionTimeoutSeconds(timeoutMs));
    if (settings.username() != null) {
      o.setUserName(settings.username());
      o.setPassword(settings.password() == null ? new char[0] : settings.password().clone());
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
    return code == MqttException.REASON_CODE_FAILED_AUTHENTICATION || code == MqttException.REASON_CODE_NOT_AUTHORIZED
        || code == MqttException.REASON_CODE_INVALID_CLIENT_ID;
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
  public void connectionLost(Throwable cause) {
    listener.lost(cause);
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    listener.arrived(topic, message.getPayload(), message.getId(), message.getQos());
  }

  @Override
  public void deliveryComplete(IMqttDeliveryToken token) {}
}
