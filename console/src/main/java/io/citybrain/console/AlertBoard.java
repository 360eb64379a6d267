package io.citybrain.console;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest state of every alert, followed on {@code city.alerts} from the beginning of the topic
 * on a thread of its own. Each new state of an alert replaces the previous one, so the board shows
 * what the emergency job decided last (raised, escalated, acknowledged, resolved).
 *
 * <p>No consumer group: every console reads the whole topic and commits nothing, so a console never
 * takes alerts away from alert dispatch or another console. Thread-safe.
 */
final class AlertBoard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertBoard.class);

  /** Enough for a shift of a busy city; older alerts are dropped first. */
  static final int CAPACITY = 2000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final java.util.concurrent.CountDownLatch closing =
      new java.util.concurrent.CountDownLatch(1);
  private final AtomicLong unreadable = new AtomicLong();

  /**
   * Every state each alert went through, oldest first (at most {@link #STATES_PER_ALERT}); the last
   * is its latest. In the order alerts last changed, so that beyond {@link #CAPACITY} the one left
   * alone longest goes first.
   */
  private final Map<String, List<Alert>> history =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Alert>> eldest) {
          return size() > CAPACITY;
        }
      };

  /**
   * Raised, escalated, re-notified, acknowledged, resolved: a long incident has a few dozen states.
   */
  static final int STATES_PER_ALERT = 100;

  /** Null while following; else why the board does not (yet) follow city.alerts. */
  private volatile String problem = "not yet assigned " + Topics.ALERTS;

  private AlertBoard(String bootstrap, io.citybrain.connectors.kafka.KafkaSecurity security) {
    Properties p = security.applyTo(new Properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "citybrain-console");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(p);
    thread = new Thread(this::follow, "console-alerts");
    thread.setDaemon(true);
  }

  static AlertBoard start(String bootstrap, io.citybrain.connectors.kafka.KafkaSecurity security) {
    AlertBoard board = new AlertBoard(bootstrap, security);
    board.thread.start();
    return board;
  }

  private void follow() {
    try {
      List<TopicPartition> partitions = partitions();
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      problem = null;
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r.value());
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      problem = "stopped following " + Topics.ALERTS + ": " + e.getMessage();
      LOG.error(
          "the console stopped following {}: the alert list no longer updates", Topics.ALERTS, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * The topic's partitions, asked again until Kafka answers: a console started before Kafka (a pod
   * scheduled first) waits, unready, instead of giving up. Once assigned, the consumer itself rides
   * out broker restarts. Empty when closed meanwhile.
   */
  private List<TopicPartition> partitions() {
    int attempt = 0;
    while (running.get()) {
      try {
        List<TopicPartition> partitions =
            consumer.partitionsFor(Topics.ALERTS, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList();
        if (!partitions.isEmpty()) {
          return partitions;
        }
        problem = Topics.ALERTS + " does not exist yet";
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        problem = "Kafka did not name the partitions of " + Topics.ALERTS + ": " + e.getMessage();
      }
      LOG.warn("the console waits for {}: {}", Topics.ALERTS, problem);
      try {
        if (closing.await(
            io.citybrain.connectors.Backoff.millis(attempt++, 1_000, 30_000),
            java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return List.of();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  void accept(byte[] value) {
    Alert a;
    try {
      a = Alert.fromJson(value);
    } catch (RuntimeException e) {
      // Not ours to dead-letter: the producer of city.alerts is the emergency job. Counted and
      // shown.
      unreadable.incrementAndGet();
      return;
    }
    synchronized (history) {
      // Taken out and put back: the alert moves to the end of the eviction order.
      List<Alert> states = history.remove(a.alertId());
      if (states == null) {
        states = new ArrayList<>();
      }
      if (states.size() == STATES_PER_ALERT) {
        states.remove(1); // the first (raised) is kept: when and how it began
      }
      states.add(a);
      history.put(a.alertId(), states);
    }
  }

  /** The states of one alert as city.alerts carried them, oldest first; empty when unknown. */
  List<Alert> history(String alertId) {
    synchronized (history) {
      return List.copyOf(history.getOrDefault(alertId, List.of()));
    }
  }

  /** Every alert's latest state, newest first. */
  List<Alert> alerts() {
    List<Alert> all;
    synchronized (history) {
      all = new ArrayList<>(history.size());
      history.values().forEach(states -> all.add(states.get(states.size() - 1)));
    }
    all.sort(Comparator.comparingLong(Alert::ts).reversed().thenComparing(Alert::alertId));
    return all;
  }

  /** Empty while the board follows {@code city.alerts}; else why not (for readiness). */
  java.util.Optional<String> problem() {
    return java.util.Optional.ofNullable(problem);
  }

  long unreadable() {
    return unreadable.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    closing.countDown();
    consumer.wakeup();
    thread.join(10_000);
  }
}
