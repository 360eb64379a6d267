package io.citybrain.connectors.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device fleet in one client: publishes messages {@code 0..count-1} at QoS 1 with a persistent
 * session and counts a message only once the broker has acknowledged it (PUBACK). What failed (the
 * broker went away) is published again after reconnecting, so in the end the broker has accepted
 * every message, some perhaps twice. Runs on its own thread; bounded in time by {@code deadlineMs}.
 */
final class QosOnePublisher implements Runnable {

  /** Message {@code i}: a flood-gauge reading from device {@code <prefix><i>}. */
  static IntFunction<String> floodTopic(String prefix) {
    return i -> "city/emergency/flood/" + prefix + i;
  }

  static byte[] floodReading(long ts) {
    return ("{\"ts\":" + ts + ",\"lat\":30.27,\"lon\":120.16,\"depthCm\":4}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private final String url;
  private final String clientId;
  private final int count;
  private final IntFunction<String> topic;
  private final byte[] payload;
  private final int window;
  private final long deadlineNanos;
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Throwable failure;
  private String user;
  private String password;

  QosOnePublisher(
      String url,
      String clientId,
      int count,
      IntFunction<String> topic,
      byte[] payload,
      int window,
      long deadlineMs) {
    this.url = url;
    this.clientId = clientId;
    this.count = count;
    this.topic = topic;
    this.payload = payload;
    this.window = window;
    this.deadlineNanos = System.nanoTime() + deadlineMs * 1_000_000;
  }

  /** Connects as {@code user} (before {@link #run()}). */
  QosOnePublisher as(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  int accepted() {
    return accepted.get();
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void run() {
    Deque<Integer> todo = new ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      todo.add(i);
    }
    MqttAsyncClient client = null;
    try {
      while (!todo.isEmpty()) {
        if (System.nanoTime() > deadlineNanos) {
          throw new IllegalStateException(
              "publisher ran out of time with " + todo.size() + " messages left");
        }
        if (client == null || !client.isConnected()) {
          client = reconnect(client);
          if (client == null) {
            TestBroker.sleep(200);
            continue;
          }
        }
        List<Integer> batch = new ArrayList<>();
        List<IMqttDeliveryToken> tokens = new ArrayList<>();
        try {
          while (batch.size() < window && !todo.isEmpty()) {
            int i = todo.peek();
            tokens.add(client.publish(topic.apply(i), payload, 1, false));
            batch.add(todo.poll());
          }
        } catch (MqttException e) {
          // Not sent: stays in the batch and is retried with the failed ones below.
        }
        for (int k = 0; k < batch.size(); k++) {
          IMqttDeliveryToken t = k < tokens.size() ? tokens.get(k) : null;
          boolean ok = false;
          if (t != null) {
            try {
              t.waitForCompletion(30_000);
              ok = t.isComplete() && t.getException() == null;
            } catch (MqttException e) {
              ok = false;
            }
          }
          if (ok) {
            accepted.incrementAndGet();
          } else {
            todo.addFirst(batch.get(k));
          }
        }
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      close(client);
    }
  }

  private MqttAsyncClient reconnect(MqttAsyncClient old) {
    close(old);
    try {
      // A fresh client each time: its in-memory outbox is ours to republish, not Paho's.
      MqttAsyncClient c = new MqttAsyncClient(url, clientId, new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(false);
      o.setMaxInflight(window);
      o.setAutomaticReconnect(false);
      if (user != null) {
        o.setUserName(user);
        o.setPassword(password.toCharArray());
      }
      c.connect(o).waitForCompletion(10_000);
      return c;
    } catch (MqttException e) {
      return null;
    }
  }

  private static void close(MqttAsyncClient c) {
    if (c == null) {
      return;
    }
    try {
      if (c.isConnected()) {
        c.disconnect(1000).waitForCompletion(2000);
      }
    } catch (MqttException ignored) {
      // a broker that went away
    }
    try {
      c.close(true);
    } catch (MqttException ignored) {
      // already closed
    }
  }
}
