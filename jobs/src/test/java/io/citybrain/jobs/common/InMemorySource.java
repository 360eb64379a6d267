package io.citybrain.jobs.common;

import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A bounded source of records held in memory, in place of a job's Kafka source where a test needs
 * no broker. At parallelism {@code p} the list is cut into {@code p} consecutive shares, one per
 * subtask, each read in list order; so one device's readings reach the job through different
 * subtasks and out of order across them, as from a Kafka topic whose partitions are read at
 * different speeds. Record {@code i} has partition 0 and offset {@code i}, so dead letters name it.
 */
public final class InMemorySource {

  private InMemorySource() {}

  public static Source<KafkaEvent, ?, ?> of(List<KafkaEvent> events) {
    int n = events.size();
    Records records = new Records(new String[n], new String[n], new byte[n][], new long[n]);
    for (int i = 0; i < n; i++) {
      KafkaEvent e = events.get(i);
      records.topics[i] = e.topic();
      records.keys[i] = e.key();
      records.values[i] = e.value();
      records.timestamps[i] = e.timestamp();
    }
    return new DataGeneratorSource<>(records, n, TypeInformation.of(KafkaEvent.class));
  }

  /** Columns rather than a list of records: {@link KafkaEvent} is not {@code Serializable}. */
  private record Records(String[] topics, String[] keys, byte[][] values, long[] timestamps)
      implements GeneratorFunction<Long, KafkaEvent> {
    @Override
    public KafkaEvent map(Long index) {
      int i = Math.toIntExact(index);
      return new KafkaEvent(topics[i], keys[i], values[i], timestamps[i], 0, i);
    }
  }
}
