package io.citybrain.connectors.dispatch;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.influx.InfluxWrites;
import io.citybrain.connectors.kafka.KafkaClients;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Delivers {@code city.alerts} to the people they concern and records them:
 * <ol>
 *   <li>published (QoS 1) on {@code city/alerts/district/<code>} and, when it has one,
 *       {@code city/alerts/community/<id>} — retried until the broker acknowledges;
 *   <li>POSTed to every configured webhook, with retries and backoff; when a webhook gives up the
 *       alert goes to {@code city.deadletter} with reason {@code webhook-failed};
 *   <li>written to the {@code alert} measurement (tags {@code kind}, {@code severity},
 *       {@code district}, {@code community}; fields {@code alert_id}, {@code state},
 *       {@code message}; time the alert's {@code ts}), one point per alert and state, through
 *       {@link InfluxWrites}; when the store gives up, reason {@code store-failed}.
 * </ol>
 * Kafka offsets are committed only after all of that for the whole batch, so a crash redelivers
 * rather than loses; subscribers and webhooks deduplicate by {@code alertId} and state, and the
 * store overwrites the same point. A record that is not an alert goes to the dead-letter topic
 * with reason {@code bad-alert}.
 *
 * <p>Why the store write is here and not a Flink sink: the dispatcher already reads every alert
 * exactly where it is delivered, so the stored state is the delivered state, for alerts of every
 * job, with no extra consumer.
 *
 * <p>Thread safety: all work happens on one thread of its own; {@link #close()} may be called
 * from any thread.
 */
public final class AlertDispatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);
  static final String STAGE = "dispatch";

  private final DispatchSettings settings;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> deadLetters;
  private final MqttAsyncClient mqtt;
  private final Webhooks webhooks;
  private final InfluxWrites store;
  private final Thread thread;
  private volatile boolean running = true;

  private AlertDispatcher(DispatchSettings s) throws MqttException {
    this.settings = s;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "citybrain-alert-dispatch");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, s.clientId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Webhook retries may hold a batch for a while; keep the group from evicting us meanwhile.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
    this.deadLetters = new KafkaProducer<>(KafkaClients.reliableProducer(s.kafkaBootstrap(), s.clientId() + "-deadletter"));
    this.webhooks = new Webhooks(s.webhookRetries(), s.webhookTimeout());
    this.store = s.store() == null ? null : new InfluxWrites(s.store(), 5, Duration.ofSeconds(10));
    this.mqtt = new MqttAsyncClient(s.mqttUrl(), s.clientId(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(true);
    options.setCleanSession(true);
    options.setMaxInflight(1000);
    if (s.mqttUsername() != null) {
      options.setUserName(s.mqttUsername());
      options.setPassword(s.mqttPassword());
    }
    mqtt.connect(options).waitForCompletion(30_000);
    this.thread = new Thread(this::run, "alert-dispatch");
  }

  /** The walking skeleton's form: anonymous MQTT, no webhooks, no store. */
  public static AlertDispatcher start(String kafkaBootstrap, String mqttUrl) {
    return start(DispatchSettings.local(kafkaBootstrap, mqttUrl, null));
  }

  /** Connects to the broker (failing fast when it refuses) and starts dispatching. */
  public static AlertDispatcher start(DispatchSettings settings) {
    try {
      AlertDispatcher d = new AlertDispatcher(settings);
      d.consumer.subscribe(List.of(Topics.ALERTS));
      d.thread.start();
      return d;
    } catch (MqttException e) {
      throw new IllegalStateException("alert dispatch cannot connect to " + settings.mqttUrl() + " as "
          + (settings.mqttUsername() == null ? "anonymous" : "'" + settings.mqttUsername() + "'") + ": "
          + e.getMessage() + " (check dispatch.mqtt.username and dispatch.mqtt.password)", e);
    }
  }

  /** The MQTT topics an alert goes to. */
  public static List<String> topicsFor(Alert alert) {
    String district = "city/alerts/district/" + alert.district();
    return alert.community() == null ? List.of(district) : List.of("city/alerts/community/" + alert.community(), district);
  }

  /** The alert as its point in the {@code alert} measurement: every field in one line. */
  public static Point toPoint(Alert a) {
    Point p = Point.measurement("alert")
        .addTag("kind", a.kind())
        .addTag("district", a.district())
        .addField("alert_id", a.alertId())
        .addField("state", a.state() == null ? Alert.STATE_RAISED : a.state())
        .addField("message", a.message() == null ? "" : a.message())
        .time(a.ts(), WritePrecision.MS);
    if (a.severity() != null) {
      p.addTag("severity", a.severity());
    }
    if (a.community() != null) {
      p.addTag("community", a.community());
    }
    return p;
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        List<Alert> delivered = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          Alert alert = decode(r);
          if (alert != null) {
            publish(alert, r.value());
            callWebhooks(alert, r.value());
            delivered.add(alert);
          }
        }
        record(delivered);
        if (!running) {
          break; // stopped half-way: leave the batch uncommitted, it is redelivered
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

  private Alert decode(ConsumerRecord<String, byte[]> r) {
    try {
      return Alert.fromJson(r.value());
    } catch (RuntimeException e) {
      deadLetter(Reason.BAD_ALERT, "city.alerts offset " + r.partition() + "/" + r.offset() + " is not an alert: "
          + e.getMessage(), r.key(), r.value());
      return null;
    }
  }

  private void publish(Alert alert, byte[] json) {
    for (String topic : topicsFor(alert)) {
      while (running) {
        try {
          MqttMessage m = new MqttMessage(json);
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

  private void callWebhooks(Alert alert, byte[] json) {
    for (URI url : settings.webhooks()) {
      Optional<String> failure = webhooks.post(url, alert.alertId(), json, () -> running);
      if (failure.isPresent() && running) {
        LOG.error("webhook gave up on alert {}: {}", alert.alertId(), failure.get());
        deadLetter(Reason.WEBHOOK_FAILED, failure.get(), alert.alertId(), json);
      }
    }
  }

  private void record(List<Alert> alerts) {
    if (store == null || alerts.isEmpty()) {
      return;
    }
    List<String> lines = new ArrayList<>(alerts.size());
    for (Alert a : alerts) {
      lines.add(InfluxWrites.lineOf(toPoint(a)));
    }
    try {
      store.write(lines);
    } catch (IOException e) {
      LOG.error("the store did not take {} alerts: {}", alerts.size(), e.getMessage());
      for (Alert a : alerts) {
        deadLetter(Reason.STORE_FAILED, e.getMessage(), a.alertId(), a.toJson());
      }
    }
  }

  /** Sends a dead-letter record and waits for Kafka, so that the offset commit follows it. */
  private void deadLetter(Reason reason, String detail, String key, byte[] raw) {
    DeadLetter d = DeadLetter.of(reason, detail, Topics.ALERTS, key == null ? Topics.ALERTS : key, raw,
        System.currentTimeMillis(), STAGE);
    try {
      deadLetters.send(new ProducerRecord<>(Topics.DEADLETTER, d.key(), d.toJson())).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot write a dead letter (" + reason.code() + ") for " + key, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted writing a dead letter for " + key, e);
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
      thread.join(30_000);
      mqtt.disconnect().waitForCompletion(5_000);
      mqtt.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MqttException e) {
      LOG.warn("unclean MQTT disconnect of alert dispatch", e);
    } finally {
      deadLetters.close(Duration.ofSeconds(5));
      if (store != null) {
        store.close();
      }
    }
  }
}
