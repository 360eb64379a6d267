package io.citybrain.deploy;

import io.citybrain.contract.Alert;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A subscriber that keeps every alert it receives, in order (the local city's tests). */
final class AlertListener implements AutoCloseable {
  private final MqttClient client;
  private final BlockingQueue<Alert> queue = new java.util.concurrent.LinkedBlockingQueue<>();
  private final List<Alert> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

  AlertListener(String mqttUrl, String clientId, String topic) throws Exception {
    client = new MqttClient(mqttUrl, clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    client.connect(o);
    client.subscribe(
        topic,
        1,
        (t, m) -> {
          Alert a = Alert.fromJson(m.getPayload());
          seen.add(a);
          queue.add(a);
        });
  }

  Alert next(String kind) throws InterruptedException {
    return await(a -> a.kind().equals(kind), "an alert of kind " + kind);
  }

  Alert nextState(String alertId, String state) throws InterruptedException {
    return await(
        a -> a.alertId().equals(alertId) && a.state().equals(state),
        alertId + " in state " + state);
  }

  private Alert await(java.util.function.Predicate<Alert> wanted, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Alert a = queue.poll(500, TimeUnit.MILLISECONDS);
      if (a != null && wanted.test(a)) {
        return a;
      }
    }
    throw new AssertionError("no " + what + " within 30 s; received " + seen);
  }

  List<Alert> all() {
    return List.copyOf(seen);
  }

  @Override
  public void close() throws Exception {
    client.disconnect();
    client.close();
  }
}
