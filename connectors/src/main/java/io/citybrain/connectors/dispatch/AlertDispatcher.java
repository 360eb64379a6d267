package io.citybrain.connectors.dispatch;

import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.InfluxWrites;
import io.citybrain.connectors.influx.Points;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.connectors.mqtt.ConfirmedPublisher;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Measurements;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@code city.alerts} to the people they concern and records them:
 *
 * <ol>
 *   <li>published (QoS 1) on {@code city/alerts/community/<id>} when it is in a community, and on
 *       {@code city/alerts/district/<code>} when its scope is the district or it is in none ({@link
 *       #topicsFor}) — retried until the broker acknowledges;
 *   <li>POSTed to every configured webhook, with retries and backoff; when a webhook gives up the
 *       alert goes to {@code city.deadletter} with reason {@code webhook-failed};
 *   <li>written to the {@code alert} measurement (tags {@code kind}, {@code severity}, {@code
 *       district}, {@code community}; fields {@code alert_id}, {@code state}, {@code message}; time
 *       the alert's {@code ts}), one point per alert and state, through {@link InfluxWrites}; when
 *       the store gives up, reason {@code store-failed}.
 * </ol>
 *
 * Kafka offsets are committed only after all of that for the whole batch (the store write of a
 * batch runs on a thread of its own, overlapping the delivery of the next), so a crash redelivers
 * rather than loses; subscribers and webhooks deduplicate by {@code alertId} and state, and the
 * store overwrites the same point. A record that is not an alert goes to the dead-letter topic with
 * reason {@code bad-alert}.
 *
 * <p>Why the store write is here and not a Flink sink: the dispatcher already reads every alert
 * exactly where it is delivered, so the stored state is the delivered state, for alerts of every
 * job, with no extra consumer.
 *
 * <p>Thread safety: all work happens on one thread of its own (and the store writes on a second);
 * {@link #close()} may be called from any thread.
 */
public final class AlertDispatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);
  static final String STAGE = "dispatch";

  private final DispatchSettings settings;
  private final KafkaConsumer<String, byte[]> consumer;

  /**
   * Dead letters, and each alert's latest record to {@code city.alerts.latest} (the apps' inbox).
   */
  private final KafkaProducer<String, byte[]> deadLetters;

  private final java.util.concurrent.atomic.AtomicLong inboxFailures =
      new java.util.concurrent.atomic.AtomicLong();

  /** How long a publish may wait for its PUBACK before it is sent again. */
  private static final Duration PUBACK_WAIT = Duration.ofSeconds(10);

  private final ConfirmedPublisher mqtt;
  private final java.util.concurrent.atomic.AtomicLong published =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Records taken from city.alerts, alerts or not: the {@code pipeline} measurement's events_in.
   */
  private final java.util.concurrent.atomic.AtomicLong consumed =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * The longest time from an alert's ts to the broker's acknowledgement since the last pipeline
   * report.
   */
  private final java.util.concurrent.atomic.AtomicLong maxDeliveryMs =
      new java.util.concurrent.atomic.AtomicLong();

  /** Writes the {@code pipeline} measurement for stage {@code dispatch} when there is a store. */
  private io.citybrain.connectors.bridge.PipelineReporter pipeline;

  private final Map<String, java.util.concurrent.atomic.AtomicLong> deadLettered =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** When the dispatch thread last came back from a poll (nanoTime): a wedged loop shows here. */
  private volatile long lastPollNanos = System.nanoTime();

  private final Webhooks webhooks;
  private final List<Channel> channels;
  private final Mailer mailer;
  private final InfluxWrites store;
  private final Thread thread;
  private volatile boolean running = true;
  // Touched by the dispatch thread only.
  private final BlockingQueue<ToRecord> toRecord = new LinkedBlockingQueue<>();
  private final Thread recorder = new Thread(this::recordLoop, "alert-record");

  /**
   * Batches delivered whose store write may still run, oldest first, with the offsets after them.
   */
  private final Deque<Recording> recording = new ArrayDeque<>();

  private static final int MAX_BATCHES_RECORDING = 16;

  private record Recording(Future<?> write, Map<TopicPartition, OffsetAndMetadata> offsets) {}

  private record ToRecord(List<Alert> alerts, CompletableFuture<Void> done) {}

  private AlertDispatcher(DispatchSettings s) {
    this.settings = s;
    Properties p = s.kafkaSecurity().applyTo(new Properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, io.citybrain.connectors.kafka.KafkaAccess.DISPATCH_GROUP);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, s.clientId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Webhook retries may hold a batch for a while; keep the group from evicting us meanwhile.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
    this.deadLetters =
        new KafkaProducer<>(
            KafkaClients.reliableProducer(
                s.kafkaBootstrap(), s.clientId() + "-deadletter", s.kafkaSecurity()));
    this.webhooks = new Webhooks(s.webhookRetries(), s.webhookTimeout());
    this.channels = s.allChannels();
    this.mailer =
        s.smtp() == null ? null : new Mailer(s.smtp(), s.webhookRetries(), s.webhookTimeout());
    this.store = s.store() == null ? null : new InfluxWrites(s.store(), 5, Duration.ofSeconds(10));
    this.mqtt =
        ConfirmedPublisher.connect(
            s.mqttUrl(), s.clientId(), s.mqttUsername(), s.mqttPassword(), Duration.ofSeconds(30));
    this.thread = new Thread(this::run, "alert-dispatch");
  }

  /** The walking skeleton's form: anonymous MQTT, no webhooks, no store. */
  public static AlertDispatcher start(String kafkaBootstrap, String mqttUrl) {
    return start(DispatchSettings.local(kafkaBootstrap, mqttUrl, null));
  }

  /** Connects to the broker (failing fast when it refuses) and starts dispatching. */
  public static AlertDispatcher start(DispatchSettings settings) {
    AlertDispatcher d;
    try {
      d = new AlertDispatcher(settings);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "alert dispatch "
              + e.getMessage()
              + " (check dispatch.mqtt.url, dispatch.mqtt.username and dispatch.mqtt.password)",
          e);
    }
    d.consumer.subscribe(List.of(Topics.ALERTS));
    d.thread.start();
    if (d.store != null) {
      d.recorder.start();
      // The pipeline dashboard's dispatch stage, in production as in the local city (issue 21).
      d.pipeline =
          io.citybrain.connectors.bridge.PipelineReporter.start(
              d::pipelineCounts, "dispatch", settings.store(), Duration.ofSeconds(10));
    }
    return d;
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

  /**
   * The message as the {@code alert} measurement keeps it: control characters (a newline, a tab)
   * become spaces. The client writes them raw inside a string field, where the local store refuses
   * the line and InfluxDB ends the line early; a message is one line on a dashboard anyway.
   */
  static String oneLine(String message) {
    return message.replaceAll("\\p{Cntrl}", " ");
  }

  /** The alert as its point in the {@code alert} measurement: every field in one line. */
  public static Point toPoint(Alert a) {
    return Points.of(
        Measurements.ALERT
            .row(a.ts())
            .tag("kind", a.kind())
            .tag("severity", a.severity())
            .tag("district", a.district())
            .tag("community", a.community())
            .field("alert_id", a.alertId())
            .field("state", a.state() == null ? Alert.STATE_RAISED : a.state())
            .field("message", a.message() == null ? "" : oneLine(a.message()))
            // A person's change (additions to v1): who, what, why, to whom; absent on the job's
            // own states.
            .field("actor", a.actor())
            .field("action", a.action())
            .field("note", a.note() == null ? null : oneLine(a.note()))
            .field("assignee", a.assignee())
            .build());
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        lastPollNanos = System.nanoTime();
        if (records.isEmpty()) {
          commitRecorded(false);
          continue;
        }
        List<Alert> delivered = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          Alert alert = decode(r);
          if (alert != null) {
            delivered.add(alert);
            payloads.add(r.value());
          }
        }
        consumed.addAndGet(records.count());
        List<java.util.concurrent.Future<?>> inbox = new ArrayList<>();
        for (int i = 0; i < delivered.size(); i++) {
          // Keyed by alert id: compaction keeps each alert's newest record. A batch's records of
          // one alert come in city.alerts order (one partition), and the producer keeps it
          // (idempotent).
          inbox.add(
              deadLetters.send(
                  new ProducerRecord<>(
                      Topics.ALERTS_LATEST, delivered.get(i).alertId(), payloads.get(i))));
        }
        publish(delivered, payloads);
        published.addAndGet(delivered.size());
        long now = System.currentTimeMillis();
        for (Alert a : delivered) {
          maxDeliveryMs.accumulateAndGet(now - a.ts(), Math::max);
        }
        for (int i = 0; i < delivered.size(); i++) {
          // A comment is for the console and the alert's history, not for a phone at 3 a.m.: the
          // channels get state changes and assignments (issue 20).
          if (!Alert.ACTION_COMMENTED.equals(delivered.get(i).action())) {
            callWebhooks(delivered.get(i), payloads.get(i));
          }
        }
        awaitInbox(inbox);
        if (!running) {
          break; // stopped half-way: leave the batch uncommitted, it is redelivered
        }
        recording.add(new Recording(recordLater(delivered), nextOffsets(records)));
        // Bounded: when the store falls behind, delivery waits for it rather than piling up.
        commitRecorded(recording.size() >= MAX_BATCHES_RECORDING);
      }
      while (!recording.isEmpty()) {
        commitRecorded(true);
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

  /**
   * Waits for the batch's records on {@code city.alerts.latest} before its offsets may be
   * committed. The producer retries within its delivery timeout; a record it still could not write
   * is logged and counted, and the alert's next state writes the inbox again: people got the alert
   * anyway.
   */
  private void awaitInbox(List<java.util.concurrent.Future<?>> inbox) {
    for (java.util.concurrent.Future<?> f : inbox) {
      try {
        f.get(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // closing: the batch is not committed and comes again
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        long n = inboxFailures.incrementAndGet();
        LOG.error(
            "alert dispatch could not write {} ({} so far): {}",
            Topics.ALERTS_LATEST,
            n,
            e.getMessage());
      }
    }
  }

  /**
   * Commits the offsets after the newest batch whose store write finished (and every write before
   * it), so the store write of a batch overlaps the delivery of the next ones and people do not
   * wait for the store.
   *
   * @param wait whether to wait for the oldest write (and so commit at least one batch)
   */
  private void commitRecorded(boolean wait) {
    Map<TopicPartition, OffsetAndMetadata> commit = null;
    while (!recording.isEmpty() && (wait || recording.peekFirst().write().isDone())) {
      Recording r = recording.pollFirst();
      try {
        r.write().get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("recording alerts failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while recording alerts", e);
      }
      if (commit == null) {
        commit = new HashMap<>();
      }
      commit.putAll(r.offsets());
      wait = false;
    }
    if (commit != null) {
      consumer.commitSync(commit);
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
      ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return offsets;
  }

  private Alert decode(ConsumerRecord<String, byte[]> r) {
    try {
      return Alert.fromJson(r.value());
    } catch (RuntimeException e) {
      deadLetter(
          Reason.BAD_ALERT,
          "city.alerts offset "
              + r.partition()
              + "/"
              + r.offset()
              + " is not an alert: "
              + e.getMessage(),
          r.key(),
          r.value());
      return null;
    }
  }

  /**
   * Publishes the batch pipelined (one round trip for all, instead of one each), then republishes
   * one by one, until acknowledged, whatever the broker did not acknowledge.
   */
  private void publish(List<Alert> alerts, List<byte[]> payloads) {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    List<Runnable> retries = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) {
      Alert alert = alerts.get(i);
      byte[] json = payloads.get(i);
      for (String topic : topicsFor(alert)) {
        sent.add(mqtt.publish(topic, json));
        retries.add(() -> publishUntilAcknowledged(alert, topic, json));
      }
    }
    for (int i = 0; i < sent.size(); i++) {
      try {
        ConfirmedPublisher.await(sent.get(i), PUBACK_WAIT);
      } catch (ConfirmedPublisher.Unacknowledged e) {
        retries.get(i).run();
      }
    }
  }

  private void publishUntilAcknowledged(Alert alert, String topic, byte[] json) {
    while (running) {
      try {
        mqtt.publishAndWait(topic, json, PUBACK_WAIT);
        return;
      } catch (ConfirmedPublisher.Unacknowledged e) {
        LOG.warn(
            "cannot publish alert {} on {} ({}); retrying", alert.alertId(), topic, e.getMessage());
        sleepQuietly(500);
      }
    }
  }

  private void callWebhooks(Alert alert, byte[] json) {
    for (Channel channel : channels) {
      if (!channel.serves(alert)) {
        continue;
      }
      boolean email = channel.format() == Channel.Format.EMAIL;
      Optional<String> failure =
          email
              ? mailer.send(channel, alert, () -> running)
              : webhooks.post(channel, alert, json, () -> running);
      if (failure.isPresent() && running) {
        LOG.error(
            "{} gave up on alert {}: {}",
            email ? "e-mail" : "webhook",
            alert.alertId(),
            failure.get());
        deadLetter(
            email ? Reason.EMAIL_FAILED : Reason.WEBHOOK_FAILED,
            failure.get(),
            alert.alertId(),
            json);
      }
    }
  }

  private Future<Void> recordLater(List<Alert> alerts) {
    if (store == null || alerts.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    ToRecord r = new ToRecord(alerts, new CompletableFuture<>());
    toRecord.add(r);
    return r.done();
  }

  /**
   * The recorder thread: writes whatever batches are waiting in one request, so that a busy
   * dispatcher makes few large writes (each is a store transaction) rather than many small ones.
   */
  private void recordLoop() {
    while (running || !toRecord.isEmpty()) {
      List<ToRecord> batches = new ArrayList<>();
      try {
        ToRecord first = toRecord.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batches.add(first);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      toRecord.drainTo(batches, 100);
      List<Alert> alerts = new ArrayList<>();
      batches.forEach(b -> alerts.addAll(b.alerts()));
      try {
        record(alerts);
        batches.forEach(b -> b.done().complete(null));
      } catch (RuntimeException e) {
        batches.forEach(b -> b.done().completeExceptionally(e));
      }
    }
  }

  private void record(List<Alert> alerts) {
    List<String> lines = new ArrayList<>(alerts.size());
    List<Alert> written = new ArrayList<>(alerts.size());
    for (Alert a : alerts) {
      try {
        lines.add(InfluxWrites.lineOf(toPoint(a)));
        written.add(a);
      } catch (InfluxWrites.UnwritablePoint e) {
        deadLetter(Reason.STORE_FAILED, e.getMessage(), a.alertId(), a.toJson());
      }
    }
    try {
      // Split on a refused line so that one odd alert (an id the store cannot take) is the only
      // one dead-lettered, not every alert of the batch.
      List<InfluxWrites.RefusedLine> refused = store.writeSplitting(lines);
      for (InfluxWrites.RefusedLine r : refused) {
        Alert a = written.get(lines.indexOf(r.line()));
        LOG.error("the store refused alert {}: {}", a.alertId(), r.reason());
        deadLetter(
            Reason.STORE_FAILED,
            "the store refused the alert's point: " + r.reason(),
            a.alertId(),
            a.toJson());
      }
    } catch (IOException e) {
      LOG.error("the store did not take {} alerts: {}", alerts.size(), e.getMessage());
      for (Alert a : alerts) {
        deadLetter(Reason.STORE_FAILED, e.getMessage(), a.alertId(), a.toJson());
      }
    }
  }

  /** Sends a dead-letter record and waits for Kafka, so that the offset commit follows it. */
  private void deadLetter(Reason reason, String detail, String key, byte[] raw) {
    deadLettered
        .computeIfAbsent(
            reason.code(),
            r -> {
              var n = new java.util.concurrent.atomic.AtomicLong();
              var registry = meters;
              if (registry != null) {
                deadLetterMeter(registry, r, n);
              }
              return n;
            })
        .incrementAndGet();
    DeadLetter d =
        DeadLetter.of(
            reason,
            detail,
            Topics.ALERTS,
            key == null ? Topics.ALERTS : key,
            raw,
            System.currentTimeMillis(),
            STAGE);
    try {
      deadLetters
          .send(new ProducerRecord<>(Topics.DEADLETTER, d.key(), d.toJson()))
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot write a dead letter (" + reason.code() + ") for " + key, e);
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

  private volatile io.micrometer.core.instrument.MeterRegistry meters;

  /**
   * Binds {@code citybrain_dispatch_alerts_total} (published, and dead-lettered by reason), the
   * MQTT connection's state and the Kafka consumer's own metrics (Micrometer's binder) to {@code
   * registry} (issue 21).
   */
  public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
    meters = registry;
    io.micrometer.core.instrument.FunctionCounter.builder(
            "citybrain.dispatch.alerts", published, java.util.concurrent.atomic.AtomicLong::get)
        .description(
            "alerts published on MQTT (and passed to the webhooks and the store), or dead-lettered by reason")
        .tags("outcome", "published", "reason", "none")
        .register(registry);
    deadLettered.forEach((r, n) -> deadLetterMeter(registry, r, n));
    io.micrometer.core.instrument.FunctionCounter.builder(
            "citybrain.dispatch.inbox.failures",
            inboxFailures,
            java.util.concurrent.atomic.AtomicLong::get)
        .description(
            "alert records city.alerts.latest did not take (the apps' inbox misses that state)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "citybrain.dispatch.mqtt.connected", mqtt, m -> m.connected() ? 1 : 0)
        .description("1 while the MQTT connection stands")
        .register(registry);
    new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(registry);
  }

  private static void deadLetterMeter(
      io.micrometer.core.instrument.MeterRegistry registry,
      String reason,
      java.util.concurrent.atomic.AtomicLong n) {
    io.micrometer.core.instrument.FunctionCounter.builder(
            "citybrain.dispatch.alerts", n, java.util.concurrent.atomic.AtomicLong::get)
        .description(
            "alerts published on MQTT (and passed to the webhooks and the store), or dead-lettered by reason")
        .tags("outcome", "dead_letter", "reason", reason)
        .register(registry);
  }

  /**
   * Ready while the dispatch thread runs and polls (a webhook's retries may hold one batch for up
   * to a minute, so up to two), and the MQTT connection stands; Kafka's own reachability is the
   * caller's {@link io.citybrain.connectors.ops.KafkaProbe}.
   */
  public java.util.Map<String, String> problems() {
    java.util.Map<String, String> problems = new java.util.LinkedHashMap<>();
    if (!thread.isAlive()) {
      problems.put("dispatch", "the dispatch thread has stopped (see the log)");
    } else if (System.nanoTime() - lastPollNanos > TimeUnit.MINUTES.toNanos(2)) {
      problems.put(
          "dispatch",
          "no poll of city.alerts for "
              + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastPollNanos)
              + " s");
    }
    if (!mqtt.connected()) {
      problems.put("mqtt", "not connected to " + mqtt.url());
    }
    return problems;
  }

  /**
   * Alerts consumed, published and dead-lettered so far; the longest delivery delay since the last
   * call.
   */
  io.citybrain.connectors.bridge.PipelineReporter.Counts pipelineCounts() {
    long dead =
        deadLettered.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
    return new io.citybrain.connectors.bridge.PipelineReporter.Counts(
        consumed.get(), published.get(), dead, Math.max(0, maxDeliveryMs.getAndSet(0)));
  }

  @Override
  public void close() {
    if (pipeline != null) {
      pipeline.close();
    }
    running = false;
    consumer.wakeup();
    try {
      thread.join(30_000);
      // Its unfinished writes are harmless (their batches are uncommitted), but let them end
      // before the store client closes.
      recorder.join(30_000);
      mqtt.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deadLetters.close(Duration.ofSeconds(5));
      if (store != null) {
        store.close();
      }
    }
  }
}
