package io.citybrain.connectors.bridge;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves every MQTT message under the subscription (default {@code city/#}) to Kafka: readings to
 * {@code city.raw.<domain>} keyed by device id, acknowledgements to {@code city.acks}, unusable
 * input to {@code city.deadletter} with its reason.
 *
 * <p>Protocol: MQTT 3.1.1 or 5 ({@link BridgeSettings#mqttVersion()}), each behind a {@link
 * BrokerSession}; everything else is the same pipeline.
 *
 * <p>Delivery: QoS 1 with a persistent session (3.1.1: clean session off; 5: clean start off and a
 * session expiry interval) and manual acknowledgement: the broker gets the PUBACK only after Kafka
 * has acknowledged the record ({@code acks=all}, idempotent). If the bridge dies between the two,
 * the broker redelivers; duplicates are possible, loss is not. The Kafka record timestamp is the
 * observation time, so jobs read event time from it.
 *
 * <p>Backpressure: at most {@link BridgeSettings#maxInFlight()} messages are between arrival and
 * Kafka's answer. When that many are pending (Kafka slow or down), the MQTT callback thread waits,
 * no more messages are acknowledged, and the broker holds the rest in the session: nothing is
 * buffered without bound and nothing is acknowledged that Kafka did not store.
 *
 * <p>Failure: a record Kafka refuses in the end (after the producer's own retries) makes the bridge
 * drop its broker connection and reconnect, so that the broker redelivers every unacknowledged
 * message. Each connection is its own MQTT client: an acknowledgement goes out only on the
 * connection its message arrived on, never with a stale packet id on a newer one. The MQTT client
 * is HiveMQ's ({@link HiveSession} says why not Paho's). Reconnects use exponential backoff with
 * jitter ({@link io.citybrain.connectors.Backoff}).
 *
 * <p>Thread safety: {@link #metrics()} and {@link #close()} may be called from any thread.
 */
public final class MqttKafkaBridge implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MqttKafkaBridge.class);
  private static final long CONNECT_TIMEOUT_MS = 30_000;
  private static final String TLS_HINT =
      " (the broker's certificate must be signed by a CA of "
          + "bridge.mqtt.tls.ca-file or bridge.mqtt.truststore.path, or the JVM's default CAs, and name the host of bridge.mqtt.url)";

  private final BridgeSettings settings;
  private final com.hivemq.client.mqtt.MqttClientSslConfig tls;
  private final IngestValidator validator;
  private final Producer<String, byte[]> producer;
  private final Semaphore permits;
  private final BridgeMetrics metrics = new BridgeMetrics();
  private final ScheduledExecutorService supervisor;
  private final Random jitter = new Random();
  private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
  private volatile Connection current;
  private volatile boolean closed;
  private volatile String lastConnectError = "none";
  private int attempt; // supervisor thread only

  private MqttKafkaBridge(BridgeSettings settings, com.hivemq.client.mqtt.MqttClientSslConfig tls) {
    this.settings = settings;
    // Loaded before any connection, so a bad registry stops start-up naming its key.
    this.validator =
        new IngestValidator(
            settings.registryPath() == null
                ? DeviceRegistry.empty()
                : DeviceRegistry.load(BridgeSettings.REGISTRY_KEY, settings.registryPath()),
            settings.maxReadingAge(),
            settings.usersPath() == null ? null : users(settings.usersPath()));
    this.tls = tls;
    Properties kafka =
        KafkaClients.reliableProducer(
            settings.kafkaBootstrap(), settings.clientId(), settings.kafkaSecurity());
    this.producer = new KafkaProducer<>(kafka);
    this.permits = new Semaphore(settings.maxInFlight());
    this.supervisor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bridge-supervisor-" + settings.clientId());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Connects, subscribes and starts forwarding. Returns once the first connection is up; fails if
   * the broker refuses the credentials or the TLS handshake, or cannot be reached within a minute
   * (later losses are retried for ever). TLS files that cannot be read fail at once with an {@link
   * IllegalArgumentException} naming their key.
   */
  public static MqttKafkaBridge start(BridgeSettings settings) {
    MqttKafkaBridge bridge = new MqttKafkaBridge(settings, BridgeTls.sslConfig(settings));
    bridge.checkKafkaAccess();
    bridge.supervisor.execute(bridge::connect);
    try {
      bridge.firstConnection.get(2 * CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      return bridge;
    } catch (TimeoutException e) {
      bridge.close();
      throw new IllegalStateException(
          "bridge "
              + settings.clientId()
              + " cannot connect to "
              + settings.mqttUrl()
              + " (last error: "
              + bridge.lastConnectError
              + ")");
    } catch (ExecutionException e) {
      bridge.close();
      throw (RuntimeException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      bridge.close();
      throw new IllegalStateException("interrupted while connecting the bridge", e);
    }
  }

  /**
   * With Kafka security on, asks Kafka for the dead-letter topic's partitions before taking any
   * MQTT message: a wrong password, an untrusted broker certificate or a missing ACL then stops
   * start-up with Kafka's own reason, instead of every send failing and the bridge reconnecting for
   * ever. Decision: not for PLAINTEXT, so a bridge still starts before its Kafka as it always did
   * (the fault tests rely on it); and an unreachable Kafka only logs, its sends are retried as
   * before.
   */
  private void checkKafkaAccess() {
    if (settings.kafkaSecurity().protocol() == SecurityProtocol.PLAINTEXT) {
      return;
    }
    try {
      producer.partitionsFor(Topics.DEADLETTER);
    } catch (AuthenticationException | AuthorizationException e) {
      close();
      throw new IllegalStateException(
          "bridge "
              + settings.clientId()
              + ": Kafka at "
              + settings.kafkaBootstrap()
              + " refused access ("
              + settings.kafkaSecurity()
              + "): "
              + e.getMessage(),
          e);
    } catch (KafkaException e) {
      LOG.warn(
          "bridge {}: Kafka at {} not reachable yet ({}); starting anyway",
          settings.clientId(),
          settings.kafkaBootstrap(),
          e.toString());
    }
  }

  /** Live counters; see {@link BridgeMetrics.Snapshot}. */
  public BridgeMetrics metrics() {
    return metrics;
  }

  public BridgeSettings settings() {
    return settings;
  }

  /** Connected to the broker and subscribed now (between a lost connection and the next, not). */
  public boolean subscribed() {
    Connection c = current;
    return !closed && c != null && c.session.isConnected();
  }

  /**
   * Binds the bridge's counters, its subscription state and its Kafka producer's own metrics
   * (Micrometer's Kafka binder) to {@code registry}.
   */
  public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
    metrics.bindTo(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "citybrain.bridge.subscribed", this, b -> b.subscribed() ? 1 : 0)
        .description("1 while the bridge is connected to the broker and subscribed")
        .register(registry);
    new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(registry);
  }

  private void connect() {
    if (closed) {
      return;
    }
    Connection c = null;
    try {
      c = new Connection();
      // Current before CONNACK: the broker may redeliver the session's messages at once.
      current = c;
      c.session.open(CONNECT_TIMEOUT_MS);
      attempt = 0;
      metrics.connected();
      LOG.info(
          "bridge {} connected to {} (MQTT {}) and subscribed to {}",
          settings.clientId(),
          settings.mqttUrl(),
          settings.mqttVersion().key(),
          settings.subscription());
      firstConnection.complete(null);
    } catch (BrokerSession.Failure e) {
      if (current == c) {
        current = null;
      }
      if (c != null) {
        c.session.drop();
      }
      lastConnectError = e.getMessage();
      if (!firstConnection.isDone() && e.refusal()) {
        firstConnection.completeExceptionally(
            new IllegalStateException(
                "broker "
                    + settings.mqttUrl()
                    + " refused bridge "
                    + settings.clientId()
                    + (settings.username() == null ? "" : " (user '" + settings.username() + "')")
                    + ": "
                    + lastConnectError
                    + (lastConnectError.startsWith(BrokerSession.Failure.TLS_FAILED)
                        ? TLS_HINT
                        : "")));
        return;
      }
      LOG.warn(
          "bridge {} cannot connect to {}: {}",
          settings.clientId(),
          settings.mqttUrl(),
          lastConnectError);
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    // Equal jitter: N bridges that lost the same broker do not all knock on it in the same
    // millisecond.
    long delay =
        io.citybrain.connectors.Backoff.millis(
            attempt++, settings.reconnectMinMs(), settings.reconnectMaxMs(), jitter::nextLong);
    LOG.info("bridge {} reconnects in {} ms", settings.clientId(), delay);
    supervisor.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  /** Drops {@code c} (if still current) and reconnects; runs on the supervisor thread. */
  private void reconnect(Connection c, String why) {
    if (current != c || closed) {
      return;
    }
    current = null;
    metrics.connectionLost();
    LOG.warn(
        "bridge {} drops its broker connection: {}; unacknowledged messages will be redelivered",
        settings.clientId(),
        why);
    c.session.drop();
    scheduleReconnect();
  }

  /**
   * The users file, followed as it is edited (a Secret updated in place): refusing it at start
   * stops the bridge.
   */
  private static io.citybrain.users.UsersFileWatch users(java.nio.file.Path file) {
    try {
      return io.citybrain.users.UsersFileWatch.start(
          file, io.citybrain.users.UsersFileWatch.INTERVAL, LOG::warn, System.currentTimeMillis());
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(BridgeSettings.USERS_KEY + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(BridgeSettings.USERS_KEY + ": " + e.getMessage(), e);
    }
  }

  private void forward(Connection c, String topic, byte[] payload, int messageId, int qos) {
    metrics.received();
    long arrived = System.currentTimeMillis();
    ProducerRecord<String, byte[]> record;
    String deadLetterReason = null;
    try {
      IngestResult result = validator.validate(topic, payload, arrived);
      if (result instanceof IngestResult.Reading r) {
        record =
            new ProducerRecord<>(
                Topics.raw(r.envelope().domain()),
                null,
                r.envelope().ts(),
                r.envelope().deviceId(),
                EnvelopeCodec.encode(r.envelope()));
      } else if (result instanceof IngestResult.Acknowledgement a) {
        record =
            new ProducerRecord<>(
                Topics.ACKS, null, a.ack().ts(), a.ack().alertId(), EnvelopeCodec.encode(a.ack()));
      } else if (result instanceof IngestResult.Rejected r) {
        record = deadLetter(r.deadLetter());
        deadLetterReason = r.deadLetter().reason();
      } else { // our own alerts on a reserved topic: nothing to forward
        c.ack(messageId, qos);
        return;
      }
    } catch (RuntimeException e) {
      // A bug of ours must neither stop the bridge nor lose the message.
      LOG.error("bridge {}: cannot process a message on {}", settings.clientId(), topic, e);
      record =
          deadLetter(
              DeadLetter.of(
                  Reason.INTERNAL_ERROR,
                  e.toString(),
                  topic,
                  topic,
                  payload,
                  arrived,
                  IngestValidator.STAGE));
      deadLetterReason = Reason.INTERNAL_ERROR.code();
    }
    if (!awaitPermit(c)) {
      return; // the connection is gone: the broker redelivers this message
    }
    metrics.sent();
    String reason = deadLetterReason;
    try {
      producer.send(
          record,
          (metadata, error) -> stored(c, messageId, qos, reason, arrived, error, topic, payload));
    } catch (RuntimeException e) {
      stored(c, messageId, qos, reason, arrived, e, topic, payload);
    }
  }

  /**
   * How much of a payload Kafka refused the dead letter keeps: enough to recognise it, small enough
   * for any topic.
   */
  static final int REFUSED_PAYLOAD_PREFIX = 1024;

  /**
   * Kafka refused this record and only this one: it is too large for the topic, its timestamp is
   * outside the topic's window (an acknowledgement stamped more than an hour ahead), or it is
   * invalid. Retrying or reconnecting would bring the same refusal back for ever, so such a record
   * becomes a dead letter; errors about Kafka as a whole (timeouts, authorisation, a broker down)
   * still mean "drop the connection and let the broker redeliver".
   */
  static boolean refusedThisRecordOnly(Throwable e) {
    return e instanceof org.apache.kafka.common.errors.RecordTooLargeException
        || e instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
        || e instanceof org.apache.kafka.common.errors.InvalidTimestampException
        || e instanceof org.apache.kafka.common.InvalidRecordException
        || e instanceof org.apache.kafka.common.errors.SerializationException;
  }

  /**
   * The dead letter of a record Kafka refused: the payload cut to {@link #REFUSED_PAYLOAD_PREFIX}
   * bytes, its length and SHA-256 in the detail, so that it fits any topic and can still be matched
   * to what the device sent.
   */
  static DeadLetter refused(String topic, byte[] payload, long arrived, Throwable error) {
    byte[] prefix =
        java.util.Arrays.copyOf(payload, Math.min(payload.length, REFUSED_PAYLOAD_PREFIX));
    return DeadLetter.of(
        Reason.KAFKA_REFUSED,
        "Kafka refused the record ("
            + error
            + "); "
            + DeadLetter.fingerprint(payload, prefix.length),
        topic,
        IngestValidator.keyOf(topic),
        prefix,
        arrived,
        IngestValidator.STAGE);
  }

  private boolean awaitPermit(Connection c) {
    try {
      while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (current != c || closed) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (current != c || closed) {
      permits.release();
      return false;
    }
    return true;
  }

  private void stored(
      Connection c,
      int messageId,
      int qos,
      String deadLetterReason,
      long arrived,
      Exception error,
      String topic,
      byte[] payload) {
    if (error != null
        && refusedThisRecordOnly(error)
        && !Reason.KAFKA_REFUSED.code().equals(deadLetterReason)) {
      // The message keeps its in-flight permit until its dead letter is stored: this runs on the
      // producer's I/O thread, which must never wait for a permit that only it can release.
      LOG.warn(
          "bridge {}: Kafka refused the record of a message on {} ({}); it goes to {} as {}",
          settings.clientId(),
          topic,
          error.toString(),
          Topics.DEADLETTER,
          Reason.KAFKA_REFUSED.code());
      ProducerRecord<String, byte[]> letter = deadLetter(refused(topic, payload, arrived, error));
      // Sent from the supervisor thread: a send may block (buffer full), which the I/O thread must
      // not.
      try {
        supervisor.execute(
            () -> {
              try {
                producer.send(
                    letter,
                    (m, e) ->
                        stored(
                            c,
                            messageId,
                            qos,
                            Reason.KAFKA_REFUSED.code(),
                            arrived,
                            e,
                            topic,
                            payload));
              } catch (RuntimeException e) {
                stored(c, messageId, qos, Reason.KAFKA_REFUSED.code(), arrived, e, topic, payload);
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // The bridge is closing: the unacknowledged message is redelivered to the next session.
        permits.release();
      }
      return;
    }
    permits.release();
    if (error != null) {
      // Kafka as a whole (or, never seen, the small kafka-refused dead letter itself): the broker
      // redelivers after a reconnect, so nothing is lost.
      metrics.failed();
      String why = "Kafka refused a record (" + error + ")";
      supervisor.execute(() -> reconnect(c, why));
      return;
    }
    long latency = System.currentTimeMillis() - arrived;
    if (deadLetterReason == null) {
      metrics.stored(topic, latency);
    } else {
      metrics.deadLettered(topic, deadLetterReason, latency);
    }
    c.ack(messageId, qos);
  }

  private static ProducerRecord<String, byte[]> deadLetter(DeadLetter d) {
    return new ProducerRecord<>(Topics.DEADLETTER, null, d.time(), d.key(), d.toJson());
  }

  /**
   * Stops taking messages, lets Kafka finish what is in flight (up to ten seconds) and acknowledges
   * it, then leaves the broker. Messages not acknowledged by then are redelivered to the next
   * session of this client id.
   */
  @Override
  public void close() {
    closed = true;
    supervisor.shutdownNow();
    try {
      supervisor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(10));
    Connection c = current;
    current = null;
    if (c != null) {
      c.session.leave();
    }
    firstConnection.cancel(false);
  }

  /** One broker connection: its own session object, of the configured MQTT version. */
  private final class Connection implements BrokerSession.Listener {
    final BrokerSession session;

    Connection() throws BrokerSession.Failure {
      session =
          settings.mqttVersion() == BridgeSettings.MqttVersion.V5
              ? new V5Session(settings, tls, this)
              : new V3Session(settings, tls, this);
    }

    @Override
    public void lost(Throwable cause) {
      supervisor.execute(() -> reconnect(this, "connection lost (" + cause + ")"));
    }

    @Override
    public void arrived(String topic, byte[] payload, int messageId, int qos) {
      forward(this, topic, payload, messageId, qos);
    }

    void ack(int messageId, int qos) {
      // During close() current is cleared only after the producer has flushed, so those acks go
      // out.
      if (current != this && !closed) {
        return;
      }
      try {
        session.ack(messageId, qos);
      } catch (Exception e) {
        LOG.debug(
            "bridge {}: cannot acknowledge message {}; it will be redelivered",
            settings.clientId(),
            messageId,
            e);
      }
    }
  }
}
