package io.citybrain.jobs.common;

import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.contract.Topics;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The {@code city.geography} side of a job: replaced layers (key {@code communities} or {@code
 * zones}, value the layer's GeoJSON) broadcast to every task of the operator that places events
 * ({@link LiveGeography}). docs/geography.md describes the guarantees.
 */
public final class GeographyUpdates {
  private GeographyUpdates() {}

  /**
   * The broadcast state: layer name → the GeoJSON in force. Plain Flink types (no Kryo); the bytes
   * are the record's value, so what was published is what is restored.
   */
  public static final MapStateDescriptor<String, byte[]> STATE =
      new MapStateDescriptor<>(
          "city-geography", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /**
   * Reads {@code city.geography} from its beginning on a fresh start, whatever the group committed:
   * the topic is compacted, so that is the latest record of each layer. After a restore the
   * source's own checkpointed offset applies and the broadcast state already holds the layers.
   */
  public static KafkaSource<KafkaEvent> source(String bootstrap, String groupId) {
    return source(bootstrap, KafkaSecurity.NONE, groupId);
  }

  /** {@link #source(String, String)} from the job's Kafka. */
  public static KafkaSource<KafkaEvent> source(JobSettings s, String groupId) {
    return source(s.kafkaBootstrap(), s.kafkaSecurity(), groupId);
  }

  /** {@link #source(String, String)} from a Kafka that requires {@code security}. */
  public static KafkaSource<KafkaEvent> source(
      String bootstrap, KafkaSecurity security, String groupId) {
    return KafkaSource.<KafkaEvent>builder()
        .setProperties(security.applyTo(new Properties()))
        .setBootstrapServers(bootstrap)
        .setTopics(Topics.GEOGRAPHY)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new KafkaEventDeserializer())
        .setProperty("isolation.level", "read_committed")
        .build();
  }

  /**
   * The updates as a stream of parallelism 1 (the topic has one partition) that takes no part in
   * event time: it never emits a watermark and declares itself idle at every periodic emission, so
   * the operator it is connected to follows the events' watermark alone. (A watermark at the end of
   * time instead would become the operator's whenever the event input goes idle, and make every
   * later event late.)
   */
  public static DataStream<KafkaEvent> stream(
      StreamExecutionEnvironment env, Source<KafkaEvent, ?, ?> source, String uidPrefix) {
    return env.fromSource(source, new AlwaysIdle(), "city.geography")
        .uid(uidPrefix + "-geography-source")
        .setParallelism(1);
  }

  /** No watermarks, idle at all times. */
  static final class AlwaysIdle implements WatermarkStrategy<KafkaEvent> {
    @Override
    public WatermarkGenerator<KafkaEvent> createWatermarkGenerator(
        WatermarkGeneratorSupplier.Context context) {
      return new WatermarkGenerator<>() {
        @Override
        public void onEvent(KafkaEvent event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
          output.markIdle();
        }
      };
    }
  }
}
