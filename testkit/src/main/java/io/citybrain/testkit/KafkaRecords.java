package io.citybrain.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a Kafka topic from its beginning, every partition, without a consumer group (nothing is
 * committed, so two reads of one test see the same records): what the tests check a topic with.
 * Keys as strings, values as bytes, as every topic of the contract is written.
 */
public final class KafkaRecords implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
  private boolean assigned;

  private KafkaRecords(Properties properties, String topic) {
    Properties p = new Properties();
    p.putAll(properties);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(p);
    this.topic = topic;
  }

  /** A reader of {@code topic} on the brokers at {@code bootstrap}. */
  public static KafkaRecords of(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaRecords(p, topic);
  }

  /** A reader with these client properties: bootstrap servers and, say, SASL credentials. */
  public static KafkaRecords of(Properties client, String topic) {
    return new KafkaRecords(client, topic);
  }

  /**
   * Reads until {@code done} holds for what was read so far (every record read, in order), for at
   * most {@code timeout}; returns what was read.
   *
   * @throws AssertionError naming the topic and how many records were read, when time runs out
   */
  public List<ConsumerRecord<String, byte[]>> until(
      Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(read)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not found in " + topic + " within " + timeout + "; " + read.size() + " records read");
      }
      poll(Duration.ofMillis(200));
    }
    return List.copyOf(read);
  }

  /** Reads for {@code span} whatever comes; returns everything read so far. */
  public List<ConsumerRecord<String, byte[]>> during(Duration span) {
    long end = System.nanoTime() + span.toNanos();
    while (System.nanoTime() < end) {
      poll(Duration.ofMillis(200));
    }
    return List.copyOf(read);
  }

  /** The first record of {@code topic} that matches, within {@code timeout}. */
  public static ConsumerRecord<String, byte[]> first(
      String bootstrap,
      String topic,
      Predicate<ConsumerRecord<String, byte[]>> match,
      Duration timeout) {
    try (KafkaRecords r = of(bootstrap, topic)) {
      return r.until(all -> all.stream().anyMatch(match), timeout).stream()
          .filter(match)
          .findFirst()
          .orElseThrow();
    }
  }

  /** The record at {@code offset} of {@code partition}: where a dead letter says its record is. */
  public static ConsumerRecord<String, byte[]> at(
      String bootstrap, String topic, int partition, long offset) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, partition);
      c.assign(List.of(tp));
      c.seek(tp, offset);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500)).records(tp)) {
          if (r.offset() == offset) {
            return r;
          }
        }
      }
    }
    throw new AssertionError("no record at " + topic + "-" + partition + "@" + offset);
  }

  private void poll(Duration wait) {
    if (!assigned) {
      // A topic that does not exist yet (its first record still on the way) has no partitions.
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (partitions == null || partitions.isEmpty()) {
        sleep(wait);
        return;
      }
      List<TopicPartition> all =
          partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
      assigned = true;
    }
    consumer.poll(wait).forEach(read::add);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
