package io.citybrain.jobs.common;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Wraps each Kafka record as a {@link KafkaEvent}; never fails. */
public final class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<KafkaEvent> {

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaEvent> out) {
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    out.collect(
        new KafkaEvent(
            record.topic(),
            key,
            record.value() == null ? new byte[0] : record.value(),
            record.timestamp(),
            record.partition(),
            record.offset()));
  }

  @Override
  public TypeInformation<KafkaEvent> getProducedType() {
    return TypeInformation.of(KafkaEvent.class);
  }
}
