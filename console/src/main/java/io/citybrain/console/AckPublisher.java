package io.citybrain.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Publishes an operator's acknowledgement on {@code city/ack/<alertId>} (contract v1), the way a
 * community manager's app does; the bridge carries it to {@code city.acks} and the emergency job
 * moves the alert to acknowledged. Thread-safe: Paho's client is.
 */
final class AckPublisher implements AutoCloseable {

  private final MqttClient client;
  private final ObjectMapper json;

  private AckPublisher(MqttClient client, ObjectMapper json) {
    this.client = client;
    this.json = json;
  }

  static AckPublisher connect(ConsoleSettings s, ObjectMapper json) throws MqttException {
    MqttClient client = new MqttClient(s.mqttUrl(), "citybrain-console-" + ProcessHandle.current().pid() + "-"
        + Long.toHexString(System.nanoTime()), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setAutomaticReconnect(true);
    o.setConnectionTimeout(10);
    if (s.mqttUser() != null) {
      o.setUserName(s.mqttUser());
      o.setPassword(s.mqttPassword().clone());
    }
    client.connect(o);
    return new AckPublisher(client, json);
  }

  /** Publishes at QoS 1 and returns once the broker has it. */
  void acknowledge(String alertId, String by, long ts) throws MqttException {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("by", by);
    payload.put("ts", ts);
    MqttMessage m;
    try {
      m = new MqttMessage(json.writeValueAsBytes(payload));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an acknowledgement", e);
    }
    m.setQos(1);
    client.publish(topic(alertId), m);
  }

  static String topic(String alertId) {
    return "city/ack/" + alertId;
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect(5_000);
    }
    client.close();
  }
}
