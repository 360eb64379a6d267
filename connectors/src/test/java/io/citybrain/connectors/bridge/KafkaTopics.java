package io.citybrain.connectors.bridge;

import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Creating the contract's topics and reading them back, for the bridge tests. */
final class KafkaTopics {
  private KafkaTopics() {}

  static void create(String bootstrap) {
    try {
      ContractTopics.create(bootstrap, t -> 2, (short) 1);
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot create topics", e);
    }
  }

  /** Every topic the bridge writes to: where each message it takes from the broker ends. */
  static final List<String> BRIDGE_OUTPUTS =
      List.of(
          Topics.DEADLETTER,
          Topics.ACKS,
          Topics.RAW_TRAFFIC,
          Topics.RAW_UTILITY,
          Topics.RAW_EMERGENCY,
          Topics.RAW_COMMUNITY);

  /** A consumer of {@link #BRIDGE_OUTPUTS} from their beginning. */
  static KafkaConsumer<String, byte[]> bridgeOutputs(String bootstrap) {
    return consumer(bootstrap, BRIDGE_OUTPUTS);
  }

  static KafkaConsumer<String, byte[]> consumer(String bootstrap, List<String> topics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
    // Assigned, not subscribed: no group, so a Kafka restart cannot reset the position and make
    // the test count records twice.
    List<TopicPartition> partitions = new ArrayList<>();
    for (String t : topics) {
      for (PartitionInfo info : c.partitionsFor(t)) {
        partitions.add(new TopicPartition(t, info.partition()));
      }
    }
    c.assign(partitions);
    c.seekToBeginning(partitions);
    return c;
  }

  /**
   * Polls {@code consumer} into {@code sink} until {@code done} holds or {@code timeoutMs} passes;
   * returns whether {@code done} held.
   */
  static boolean pollUntil(
      KafkaConsumer<String, byte[]> consumer,
      java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink,
      java.util.function.BooleanSupplier done,
      long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        sink.accept(r);
      }
      if (done.getAsBoolean()) {
        return true;
      }
    }
    return done.getAsBoolean();
  }

  /**
   * The distinct keys starting with {@code prefix} that {@code consumer} reads until it has {@code
   * count} of them or {@code timeoutMs} passed: what a flood of {@code count} devices left in
   * Kafka, each once however often the at-least-once bridge wrote it.
   */
  static java.util.Set<String> distinctKeys(
      KafkaConsumer<String, byte[]> consumer, String prefix, int count, long timeoutMs) {
    java.util.Set<String> distinct = new java.util.HashSet<>();
    pollUntil(
        consumer,
        r -> {
          if (r.key().startsWith(prefix)) {
            distinct.add(r.key());
          }
        },
        () -> distinct.size() >= count,
        timeoutMs);
    return distinct;
  }
}
