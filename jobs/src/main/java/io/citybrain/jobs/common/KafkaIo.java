package io.citybrain.jobs.common;

import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The production Kafka sources and sinks of the jobs. Each takes the {@link KafkaSecurity} of the
 * job's settings; its client properties travel inside the job graph to the task managers, so only
 * the process that builds the graph (the job manager in application mode) reads the secrets'
 * environment variables.
 */
public final class KafkaIo {
  private KafkaIo() {}

  /** {@link #source(String, KafkaSecurity, String, String...)} from the job's Kafka. */
  public static KafkaSource<KafkaEvent> source(JobSettings s, String groupId, String... topics) {
    return source(s.kafkaBootstrap(), s.kafkaSecurity(), groupId, topics);
  }

  /** {@link #alertSink(String, KafkaSecurity)} to the job's Kafka. */
  public static KafkaSink<Alert> alertSink(JobSettings s) {
    return alertSink(s.kafkaBootstrap(), s.kafkaSecurity());
  }

  /** {@link #deadLetterSink(String, KafkaSecurity)} to the job's Kafka. */
  public static KafkaSink<DeadLetter> deadLetterSink(JobSettings s) {
    return deadLetterSink(s.kafkaBootstrap(), s.kafkaSecurity());
  }

  /**
   * Event time of the windowed jobs: each reading's own timestamp, held back by the settings'
   * out-of-orderness; a partition without data stops holding back the watermark after the settings'
   * idleness.
   */
  public static WatermarkStrategy<KafkaEvent> eventTime(JobSettings s) {
    return WatermarkStrategy.<KafkaEvent>forBoundedOutOfOrderness(s.outOfOrderness())
        .withTimestampAssigner((e, kafkaTs) -> e.timestamp())
        .withIdleness(s.idleness());
  }

  /**
   * Reads {@code topics} from the group's committed offsets (committed on each checkpoint), or from
   * the beginning for a new group.
   */
  public static KafkaSource<KafkaEvent> source(String bootstrap, String groupId, String... topics) {
    return source(bootstrap, KafkaSecurity.NONE, groupId, topics);
  }

  /** {@link #source(String, String, String...)} from a Kafka that requires {@code security}. */
  public static KafkaSource<KafkaEvent> source(
      String bootstrap, KafkaSecurity security, String groupId, String... topics) {
    return KafkaSource.<KafkaEvent>builder()
        // The source's admin client (partition discovery) and its consumers both get these.
        .setProperties(security.applyTo(new Properties()))
        .setBootstrapServers(bootstrap)
        .setTopics(topics)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new KafkaEventDeserializer())
        .setProperty("isolation.level", "read_committed")
        .build();
  }

  /**
   * Dead letters, keyed by device id (else topic). At-least-once: a dead letter may repeat, never
   * vanish.
   */
  public static KafkaSink<DeadLetter> deadLetterSink(String bootstrap) {
    return deadLetterSink(bootstrap, KafkaSecurity.NONE);
  }

  /** {@link #deadLetterSink(String)} to a Kafka that requires {@code security}. */
  public static KafkaSink<DeadLetter> deadLetterSink(String bootstrap, KafkaSecurity security) {
    return KafkaSink.<DeadLetter>builder()
        .setKafkaProducerConfig(security.applyTo(new Properties()))
        .setBootstrapServers(bootstrap)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<DeadLetter>builder()
                .setTopic(Topics.DEADLETTER)
                .setKeySerializationSchema(new DeadLetterKey())
                .setValueSerializationSchema(new DeadLetterValue())
                .build())
        .build();
  }

  /**
   * Alerts, keyed by community (else district). At-least-once, not exactly-once: a transactional
   * sink would hold every alert back until the next checkpoint, and an alert that arrives a
   * checkpoint interval late is worse than one that arrives twice with the same {@code alertId}.
   */
  public static KafkaSink<Alert> alertSink(String bootstrap) {
    return alertSink(bootstrap, KafkaSecurity.NONE);
  }

  /** {@link #alertSink(String)} to a Kafka that requires {@code security}. */
  public static KafkaSink<Alert> alertSink(String bootstrap, KafkaSecurity security) {
    return KafkaSink.<Alert>builder()
        .setKafkaProducerConfig(security.applyTo(new Properties()))
        .setBootstrapServers(bootstrap)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<Alert>builder()
                .setTopic(Topics.ALERTS)
                .setKeySerializationSchema(new AlertKey())
                .setValueSerializationSchema(new AlertValue())
                .build())
        .build();
  }

  // Named classes, not lambdas: Flink's lineage reads the element type from the class signature.

  static final class DeadLetterKey implements SerializationSchema<DeadLetter> {
    @Override
    public byte[] serialize(DeadLetter d) {
      return d.key() == null ? null : d.key().getBytes(StandardCharsets.UTF_8);
    }
  }

  static final class DeadLetterValue implements SerializationSchema<DeadLetter> {
    @Override
    public byte[] serialize(DeadLetter d) {
      return d.toJson();
    }
  }

  static final class AlertKey implements SerializationSchema<Alert> {
    @Override
    public byte[] serialize(Alert a) {
      return (a.community() != null ? a.community() : a.district())
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  static final class AlertValue implements SerializationSchema<Alert> {
    @Override
    public byte[] serialize(Alert a) {
      return a.toJson();
    }
  }
}
