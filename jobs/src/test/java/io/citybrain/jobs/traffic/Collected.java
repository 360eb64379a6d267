package io.citybrain.jobs.traffic;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A stateless sink into a named list of this JVM (MiniCluster tasks run in it): the jobs' own sinks
 * keep no operator state either, so a savepoint taken with this sink restores into the production
 * wiring and the other way round.
 */
public final class Collected<T> implements Sink<T> {

  private static final Map<String, List<Object>> LISTS = new ConcurrentHashMap<>();
  private final String name;

  private Collected(String name) {
    this.name = name;
  }

  public static <T> Collected<T> into(String name) {
    LISTS.put(name, new CopyOnWriteArrayList<>());
    return new Collected<>(name);
  }

  @SuppressWarnings("unchecked")
  public static <T> List<T> list(String name) {
    return (List<T>) (List<?>) LISTS.get(name);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    List<Object> target = LISTS.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        target.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
