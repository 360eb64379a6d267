package io.citybrain.jobs.common;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReader;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceSplit;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Bounded sources of records held in memory, in place of a job's Kafka source where a test needs no
 * broker. The records stay in this JVM (MiniCluster tasks run in it); a split names them.
 */
public final class InMemorySource {

  private static final Map<String, List<List<KafkaEvent>>> PARTITIONS = new ConcurrentHashMap<>();

  private InMemorySource() {}

  /**
   * As a topic keyed by device with {@code partitions} partitions, each read by its own subtask
   * (run the job at that parallelism): a record goes to partition {@code key.hashCode() mod
   * partitions}, so one device's records stay in order in one partition, as the bridge writes them,
   * while the partitions are read at their own speeds. Record {@code i} of a partition has that
   * partition and offset {@code i}, so dead letters name it.
   */
  public static Source<KafkaEvent, ?, ?> keyed(
      String name, List<KafkaEvent> events, int partitions) {
    List<List<KafkaEvent>> split = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      split.add(new ArrayList<>());
    }
    for (KafkaEvent e : events) {
      int p = Math.floorMod(e.key().hashCode(), partitions);
      List<KafkaEvent> into = split.get(p);
      into.add(new KafkaEvent(e.topic(), e.key(), e.value(), e.timestamp(), p, into.size()));
    }
    PARTITIONS.put(name, split);
    return new Keyed(name, partitions);
  }

  /**
   * Harsher than Kafka: at parallelism {@code p} the list is cut into {@code p} consecutive shares,
   * one per subtask, each read in list order; so one device's records reach the job through
   * different subtasks and out of order across them, as while a topic's partitions are being
   * increased. Record {@code i} has partition 0 and offset {@code i}.
   */
  public static Source<KafkaEvent, ?, ?> spread(List<KafkaEvent> events) {
    int n = events.size();
    if (n == 0) {
      // DataGeneratorSource asks for index 0 even of an empty sequence.
      throw new IllegalArgumentException("an in-memory source needs at least one record");
    }
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

  /** One partition from a position on. */
  record Part(String name, int partition, int position)
      implements IteratorSourceSplit<KafkaEvent, Cursor> {
    @Override
    public String splitId() {
      return name + "-" + partition;
    }

    @Override
    public Cursor getIterator() {
      return new Cursor(PARTITIONS.get(name).get(partition), position);
    }

    @Override
    public IteratorSourceSplit<KafkaEvent, Cursor> getUpdatedSplitForIterator(Cursor cursor) {
      return new Part(name, partition, cursor.next);
    }
  }

  static final class Cursor implements Iterator<KafkaEvent> {
    private final List<KafkaEvent> records;
    private int next;

    Cursor(List<KafkaEvent> records, int next) {
      this.records = records;
      this.next = next;
    }

    @Override
    public boolean hasNext() {
      return next < records.size();
    }

    @Override
    public KafkaEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return records.get(next++);
    }
  }

  private record Keyed(String name, int partitions)
      implements Source<KafkaEvent, Part, TreeSet<Integer>> {
    @Override
    public Boundedness getBoundedness() {
      return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<KafkaEvent, Part> createReader(SourceReaderContext context) {
      return new IteratorSourceReader<>(context);
    }

    @Override
    public SplitEnumerator<Part, TreeSet<Integer>> createEnumerator(
        SplitEnumeratorContext<Part> context) {
      TreeSet<Integer> all = new TreeSet<>();
      for (int p = 0; p < partitions; p++) {
        all.add(p);
      }
      return new Assigner(name, context, all);
    }

    @Override
    public SplitEnumerator<Part, TreeSet<Integer>> restoreEnumerator(
        SplitEnumeratorContext<Part> context, TreeSet<Integer> unassigned) {
      return new Assigner(name, context, unassigned);
    }

    @Override
    public SimpleVersionedSerializer<Part> getSplitSerializer() {
      return new Serializer<>() {
        @Override
        void write(Part part, DataOutputStream out) throws IOException {
          out.writeUTF(part.name());
          out.writeInt(part.partition());
          out.writeInt(part.position());
        }

        @Override
        Part read(DataInputStream in) throws IOException {
          return new Part(in.readUTF(), in.readInt(), in.readInt());
        }
      };
    }

    @Override
    public SimpleVersionedSerializer<TreeSet<Integer>> getEnumeratorCheckpointSerializer() {
      return new Serializer<>() {
        @Override
        void write(TreeSet<Integer> unassigned, DataOutputStream out) throws IOException {
          out.writeInt(unassigned.size());
          for (int p : unassigned) {
            out.writeInt(p);
          }
        }

        @Override
        TreeSet<Integer> read(DataInputStream in) throws IOException {
          TreeSet<Integer> unassigned = new TreeSet<>();
          for (int n = in.readInt(); n > 0; n--) {
            unassigned.add(in.readInt());
          }
          return unassigned;
        }
      };
    }
  }

  /** Partition {@code i} to subtask {@code i mod parallelism}: each partition has one reader. */
  private static final class Assigner implements SplitEnumerator<Part, TreeSet<Integer>> {
    private final String name;
    private final SplitEnumeratorContext<Part> context;
    private final TreeSet<Integer> unassigned;

    Assigner(String name, SplitEnumeratorContext<Part> context, TreeSet<Integer> unassigned) {
      this.name = name;
      this.context = context;
      this.unassigned = unassigned;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtask, String host) {
      for (int p : unassigned) {
        if (p % context.currentParallelism() == subtask) {
          unassigned.remove(p);
          context.assignSplit(new Part(name, p, 0), subtask);
          return;
        }
      }
      context.signalNoMoreSplits(subtask);
    }

    @Override
    public void addSplitsBack(List<Part> splits, int subtask) {
      // A restarted reader starts its partitions over: the records are in memory.
      splits.forEach(s -> unassigned.add(s.partition()));
    }

    @Override
    public void addReader(int subtask) {}

    @Override
    public TreeSet<Integer> snapshotState(long checkpointId) {
      return new TreeSet<>(unassigned);
    }

    @Override
    public void close() {}
  }

  private abstract static class Serializer<T> implements SimpleVersionedSerializer<T> {
    @Override
    public int getVersion() {
      return 1;
    }

    abstract void write(T value, DataOutputStream out) throws IOException;

    abstract T read(DataInputStream in) throws IOException;

    @Override
    public byte[] serialize(T value) throws IOException {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        write(value, out);
      }
      return bytes.toByteArray();
    }

    @Override
    public T deserialize(int version, byte[] serialized) throws IOException {
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(serialized))) {
        return read(in);
      }
    }
  }
}
