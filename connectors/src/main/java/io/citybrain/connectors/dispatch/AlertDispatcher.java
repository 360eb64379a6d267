package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@code city.alerts} to the people they concern: each alert is published (QoS 1) on
 * {@code city/alerts/district/<code>} and, when it has one, {@code city/alerts/community/<id>}.
 * Kafka offsets are committed only after the broker acknowledged every publish of the batch, so a
 * crash redelivers rather than loses; subscribers deduplicate by {@code alertId} and state.
 */
public final class AlertDispatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

  private final KafkaConsumer<String, byte[]> consumer;
  private final MqttAsyncClient mqtt;
  private final Thread thread;
  private volatile boolean running = true;

  private AlertDispatcher(String kafkaBootstrap, String mqttUrl, String clientId) throws MqttException {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "citybrain-alert-dispatch");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
    this.mqtt = new MqttAsyncClient(mqttUrl, clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(true);
    options.setCleanSession(true);
    options.setMaxInflight(1000);
    mqtt.connect(options).waitForCompletion(30_000);
    this.thread = new Thread(this::run, "alert-dispatch");
  }

  public static AlertDispatcher start(String kafkaBootstrap, String mqttUrl) {
    try {
      AlertDispatcher d = new AlertDispatcher(kafkaBootstrap, mqttUrl, "citybrain-dispatch-1");
      d.consumer.subscribe(List.of(Topics.ALERTS));
      d.thread.start();
      return d;
    } catch (MqttException e) {
      throw new IllegalStateException("alert dispatch cannot connect to " + mqttUrl + ": " + e.getMessage(), e);
    }
  }

  /**
   * The MQTT topics an alert goes to: its community's, when it is in one, and its district's when
   * the alert's scope is the district (critical incidents, escalations) or it is in no community.
   */
  public static List<String> topicsFor(Alert alert) {
    String district = "city/alerts/district/" + alert.district();
    if (alert.community() == null) {
      return List.of(district);
    }
    String community = "city/alerts/community/" + alert.community();
    return alert.forDistrict() ? List.of(community, district) : List.of(community);
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : records) {
          deliver(r);
        }
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("alert dispatch stopped", e);
    } finally {
      consumer.close();
    }
  }

  private void deliver(ConsumerRecord<String, byte[]> r) {
    Alert alert;
    try {
      alert = Alert.fromJson(r.value());
    } catch (RuntimeException e) {
      LOG.error("city.alerts offset {} is not an alert; skipped", r.offset(), e);
      return;
    }
    for (String topic : topicsFor(alert)) {
      while (running) {
        try {
          MqttMessage m = new MqttMessage(r.value());
          m.setQos(1);
          mqtt.publish(topic, m).waitForCompletion(10_000);
          break;
        } catch (MqttException e) {
          LOG.warn("cannot publish alert {} on {} ({}); retrying", alert.alertId(), topic, e.getMessage());
          sleepQuietly(500);
        }
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
      mqtt.disconnect().waitForCompletion(5_000);
      mqtt.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MqttException e) {
      LOG.warn("unclean MQTT disconnect of alert dispatch", e);
    }
  }
}
