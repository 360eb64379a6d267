package io.citybrain.connectors.bridge;

import io.citybrain.connectors.Topics;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.kafka.KafkaClients;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every MQTT message under {@code city/#} to Kafka: readings to {@code city.raw.<domain>}
 * keyed by device id, acknowledgements to {@code city.acks}, unusable input to
 * {@code city.deadletter} with its reason.
 *
 * <p>Delivery: QoS 1 with a persistent session (clean session off), and manual acknowledgement: the
 * broker gets the PUBACK only after Kafka has acknowledged the record ({@code acks=all},
 * idempotent). If the bridge dies between the two, the broker redelivers; duplicates are possible,
 * loss is not. The Kafka record timestamp is the observation time, so jobs read event time from it.
 */
public final class MqttKafkaBridge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MqttKafkaBridge.class);

  private final BridgeSettings settings;
  private final IngestValidator validator = new IngestValidator();
  private final KafkaProducer<String, byte[]> producer;
  private final MqttAsyncClient client;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  private MqttKafkaBridge(BridgeSettings settings) throws MqttException {
    this.settings = settings;
    this.producer = new KafkaProducer<>(KafkaClients.reliableProducer(settings.kafkaBootstrap(), settings.clientId()));
    this.client = new MqttAsyncClient(settings.mqttUrl(), settings.clientId(), new MemoryPersistence());
  }

  /** Connects, subscribes and starts forwarding. */
  public static MqttKafkaBridge start(BridgeSettings settings) {
    try {
      MqttKafkaBridge bridge = new MqttKafkaBridge(settings);
      bridge.connect();
      return bridge;
    } catch (MqttException e) {
      throw new IllegalStateException("bridge cannot connect to " + settings.mqttUrl() + ": " + e.getMessage(), e);
    }
  }

  private void connect() throws MqttException {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(false);
    options.setAutomaticReconnect(true);
    options.setMaxInflight(1000);
    options.setKeepAliveInterval(30);
    if (settings.username() != null) {
      options.setUserName(settings.username());
      options.setPassword(settings.password());
    }
    client.setManualAcks(true);
    client.setCallback(new MqttCallbackExtended() {
      @Override
      public void connectComplete(boolean reconnect, String serverUri) {
        // Subscribing again after a reconnect is harmless and covers a broker that lost the session.
        try {
          client.subscribe(settings.subscription(), 1);
          LOG.info("bridge {} subscribed to {} on {} (reconnect={})", settings.clientId(), settings.subscription(), serverUri, reconnect);
        } catch (MqttException e) {
          LOG.error("bridge {} cannot subscribe to {}", settings.clientId(), settings.subscription(), e);
        }
      }

      @Override
      public void connectionLost(Throwable cause) {
        LOG.warn("bridge {} lost the broker connection; reconnecting", settings.clientId(), cause);
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        forward(topic, message);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    client.connect(options).waitForCompletion(30_000);
  }

  private void forward(String topic, MqttMessage message) {
    received.incrementAndGet();
    IngestResult result = validator.validate(topic, message.getPayload(), System.currentTimeMillis());
    ProducerRecord<String, byte[]> record = null;
    if (result instanceof IngestResult.Reading r) {
      record = new ProducerRecord<>(Topics.raw(r.envelope().domain()), null,
          r.envelope().ts(), r.envelope().deviceId(), EnvelopeCodec.encode(r.envelope()));
    } else if (result instanceof IngestResult.Acknowledgement a) {
      record = new ProducerRecord<>(Topics.ACKS, null, a.ack().ts(), a.ack().alertId(), EnvelopeCodec.encode(a.ack()));
    } else if (result instanceof IngestResult.Rejected r) {
      record = deadLetter(r.deadLetter());
    }
    if (record == null) { // our own alerts on a reserved topic: nothing to forward
      ack(message);
      return;
    }
    ProducerRecord<String, byte[]> sent = record;
    producer.send(sent, (metadata, error) -> {
      if (error == null) {
        forwarded.incrementAndGet();
        ack(message);
      } else {
        // Not acknowledged: the broker redelivers it when the session resumes.
        LOG.error("bridge {}: Kafka refused a record for {} ({}); it stays unacknowledged", settings.clientId(), sent.topic(), error.toString());
      }
    });
  }

  private ProducerRecord<String, byte[]> deadLetter(DeadLetter d) {
    deadLettered.incrementAndGet();
    return new ProducerRecord<>(Topics.DEADLETTER, null, d.time(), d.key(), d.toJson());
  }

  private void ack(MqttMessage message) {
    try {
      client.messageArrivedComplete(message.getId(), message.getQos());
    } catch (MqttException e) {
      LOG.warn("bridge {}: cannot acknowledge message {} to the broker; it will be redelivered", settings.clientId(), message.getId(), e);
    }
  }

  public long received() {
    return received.get();
  }

  public long forwarded() {
    return forwarded.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close();
    } catch (MqttException e) {
      LOG.warn("bridge {}: unclean MQTT disconnect", settings.clientId(), e);
    }
    producer.close();
  }
}
