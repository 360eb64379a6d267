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
final class V3Session implements BrokerSession, MqttCallback {
  private static final int SUBSCRIPTION_REFUSED = 0x80;

  private final BridgeSettings settings;
  private final SocketFactory tls;
  private final Listener listener;
  private final MqttAsyncClient client;

  V3Session(BridgeSettings settings, SocketFactory tls, Listener listener) throws Failure {
    this.settings = settings;
    this.tls = tls;
    this.listener = listener;
    try {
      client = new MqttAsyncClient(settings.mqttUrl(), settings.clientId(), new MemoryPersistence());
    } catch (MqttException e) {
      throw failure(e);
    }
    client.setManualAcks(true);
    client.setCallback(this);
  }

  @Override
  public void open(long timeoutMs) throws Failure {
    try {
      client.connect(options(timeoutMs)).waitForCompletion(timeoutMs);
      IMqttToken sub = client.subscribe(settings.subscription(), 1);
      sub.waitForCompletion(timeoutMs);
      int[] granted = sub.getGrantedQos();
      if (granted != null && granted.length > 0 && granted[0] == SUBSCRIPTION_REFUSED) {
        throw new Failure("the broker refused the subscription to " + settings.subscription(), true, null);
      }
    } catch (MqttException e) {
      throw failure(e);
    }
  }

  private MqttConnectOptions options(long timeoutMs) {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(false);
    // The bridge reconnects itself: with backoff and jitter, and a fresh session object each time.
    o.setAutomaticReconnect(false);
    o.setMaxInflight(Math.max(10, settings.maxInFlight()));
    o.setKeepAliveInterval(30);
    o.setConnectionTimeout((int) Math.max(1, timeoutMs / 1000));
    if (settings.username() != null) {
      o.setUserName(settings.username());
      o.setPassword(settings.password() == null ? new char[0] : settings.password().clone());
    }
    if (tls != null) {
      o.setSocketFactory(tls);
    }
    return o;
  }

  // Paho's messages name the reason, never the password; the cause may be a socket or TLS error.
  private static Failure failure(MqttException e) {
    int code = e.getReasonCode();
    boolean refusal = code == MqttException.REASON_CODE_FAILED_AUTHENTICATION
        || code == MqttException.REASON_CODE_NOT_AUTHORIZED || code == MqttException.REASON_CODE_INVALID_CLIENT_ID
        || Failure.isTls(e);
    return new Failure((Failure.isTls(e) ? Failure.TLS_FAILED : "") + e.getMessage() + " (reason " + code
        + (e.getCause() == null ? "" : ", " + e.getCause()) + ")", refusal, null);
  }

  @Override
  public void ack(int messageId, int qos) throws Exception {
    client.messageArrivedComplete(messageId, qos);
  }

  @Override
  public void drop() {
    try {
      client.disconnectForcibly(0, 1000, false);
    } catch (MqttException | RuntimeException ignored) {
      // already gone
    }
    close();
  }

  @Override
  public void leave() {
    try {
      if (client.isConnected()) {
        client.disconnect(2000).waitForCompletion(5000);
      }
    } catch (MqttException | RuntimeException ignored) {
      // unclean: the broker redelivers what was not acknowledged
    }
    close();
  }

  private void close() {
    try {
      client.close(true);
    } catch (MqttException | RuntimeException ignored) {
      // nothing left to release
    }
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
