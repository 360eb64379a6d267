package io.citybrain.jobs.bench;

import com.sun.management.OperatingSystemMXBean;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Envelope;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaEventDeserializer;
import io.citybrain.jobs.common.TestJobs;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the jobs' Kafka-to-sinks benchmarks share (TrafficJobBenchmark, EmergencyJobBenchmark): the
 * pre-loaded topics, a bare consumer for the baseline loops, the job's bounded source, sinks that
 * render and count, and CPU time per thread. Not part of the test suite.
 */
public final class JobBench {
  private JobBench() {}

  /** Creates {@code topics} with one partition each, kept for ever (the runs read them again). */
  public static void createTopics(String bootstrap, List<String> topics) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              topics.stream()
                  .map(t -> new NewTopic(t, 1, (short) 1).configs(Map.of("retention.ms", "-1")))
                  .toList())
          .all()
          .get();
    }
  }

  /** A producer's settings for pre-loading: large batches, so that loading is quick. */
  public static Properties producer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", ByteArraySerializer.class);
    p.put("value.serializer", ByteArraySerializer.class);
    p.put("linger.ms", "20");
    p.put("batch.size", "262144");
    return p;
  }

  /** A bare consumer of {@code topic}'s one partition from its beginning, for a baseline loop. */
  public static KafkaConsumer<byte[], byte[]> consumerFromStart(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", ByteArrayDeserializer.class);
    p.put("value.deserializer", ByteArrayDeserializer.class);
    p.put("max.poll.records", "2000");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p);
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    return consumer;
  }

  /** The job's source over {@code topic}, from its beginning to its end at the start of the run. */
  public static KafkaSource<KafkaEvent> bounded(String bootstrap, String topic) {
    return KafkaSource.<KafkaEvent>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId("bench-" + System.nanoTime())
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(new KafkaEventDeserializer())
        .build();
  }

  /**
   * A job's settings for a run: no store (the sinks count), checkpoints every hour (none during a
   * run, so they are not in the figure), 5 s out-of-orderness, parallelism 1.
   */
  public static JobSettings settings(String bootstrap, long citySeed) {
    return settings(bootstrap, citySeed, 1);
  }

  /** As {@link #settings(String, long)}, at {@code parallelism}. */
  public static JobSettings settings(String bootstrap, long citySeed, int parallelism) {
    return TestJobs.settings(bootstrap)
        .checkpointInterval(Duration.ofHours(1))
        .parallelism(parallelism)
        .citySeed(citySeed)
        .build();
  }

  /** A job's settings and its configured local environment at {@code parallelism}. */
  public record Local(JobSettings settings, StreamExecutionEnvironment env) {}

  /**
   * A run without a broker or store reached (the sinks collect), seed 42, on a MiniCluster of
   * {@code parallelism} slots, configured as the jobs configure theirs.
   */
  public static Local local(int parallelism) {
    JobSettings s = settings("127.0.0.1:1", 42L, parallelism);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    io.citybrain.jobs.common.JobEnvironment.configure(env, s);
    return new Local(s, env);
  }

  /**
   * Writes what {@code fleet} hands out to partition 0 of {@code topic}, keyed by device, at each
   * reading's time; returns how many.
   */
  public static long produce(
      String bootstrap,
      String topic,
      java.util.function.Consumer<java.util.function.Consumer<Envelope>> fleet) {
    long[] n = {0};
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producer(bootstrap))) {
      fleet.accept(
          e -> {
            producer.send(
                new ProducerRecord<>(
                    topic,
                    0,
                    e.ts(),
                    e.deviceId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    EnvelopeCodec.encode(e)));
            n[0]++;
          });
      producer.flush();
    }
    return n[0];
  }

  /**
   * {@code n} places drawn with {@code random} in Hangzhou's six urban districts, taken in turn:
   * where the benchmarks' and tests' fleets put their devices.
   */
  public static double[][] urbanPlaces(int n, java.util.Random random) {
    List<io.citybrain.geo.District> urban =
        io.citybrain.geo.DistrictIndex.hangzhou().districts().stream()
            .filter(
                d ->
                    java.util.Set.of("330102", "330103", "330104", "330105", "330106", "330108")
                        .contains(d.code()))
            .toList();
    double[][] places = new double[n][];
    for (int i = 0; i < n; i++) {
      places[i] = io.citybrain.geo.DistrictIndex.randomPointIn(urban.get(i % urban.size()), random);
    }
    return places;
  }

  /** The last of {@code rows} under each key: a re-emitted window replaces its row. */
  public static <T> Map<String, T> last(List<T> rows, java.util.function.Function<T, String> key) {
    Map<String, T> out = new java.util.TreeMap<>();
    rows.forEach(r -> out.put(key.apply(r), r));
    return out;
  }

  /** How many of {@code rows} fall under each key. */
  public static <T> Map<String, Long> count(
      List<T> rows, java.util.function.Function<T, String> key) {
    Map<String, Long> out = new java.util.TreeMap<>();
    rows.forEach(r -> out.merge(key.apply(r), 1L, Long::sum));
    return out;
  }

  /** The threads of a job's run that did work; Flink's idle flushers and timers are left out. */
  public static void printBusyThreads(CpuWindow w) {
    w.perThread.forEach(
        (name, cpu) -> {
          if (cpu >= 0.05) {
            System.out.printf(Locale.ROOT, "    %6.2f s  %s%n", cpu, name);
          }
        });
  }

  public static void clearCounts() {
    COUNTS.clear();
  }

  private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

  /** Elements the {@link Counting} sink of that name took in the last run. */
  public static long count(String name) {
    AtomicLong c = COUNTS.get(name);
    return c == null ? 0 : c.get();
  }

  public interface Render<T> extends ToIntFunction<T>, Serializable {}

  /** Renders each element as the store or Kafka sink would, and counts it. */
  public static final class Counting<T> implements Sink<T> {
    private final String name;
    private final Render<T> render;

    public Counting(String name, Render<T> render) {
      this.name = name;
      this.render = render;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      AtomicLong c = COUNTS.computeIfAbsent(name, k -> new AtomicLong());
      return new SinkWriter<>() {
        long bytes;

        @Override
        public void write(T element, Context ctx) {
          bytes += render.applyAsInt(element);
          c.incrementAndGet();
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  /**
   * CPU time of the threads started while {@code body} runs, sampled every 10 ms (a thread's last ≤
   * 10 ms before it ends are lost; negligible against seconds). Threads alive before — the
   * broker's, the JIT's — are left out. "Task" threads are the job's own work: Flink's task threads
   * ("... (1/1)#0") and the Kafka source's fetcher; the MiniCluster's RPC and timer threads are
   * not.
   */
  public static final class CpuWindow {
    public double cpuS;
    public double taskCpuS;
    public double wallS;
    public double processCpuS;
    public final Map<String, Double> perThread = new java.util.TreeMap<>();
    private static final ThreadLocal<long[]> LOOP_START = new ThreadLocal<>();

    /**
     * Marks, in a baseline loop's thread, where its own measured part begins (after connecting).
     */
    public static void start() {
      LOOP_START.set(new long[] {ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()});
    }

    public static CpuWindow around(Runnable body, String threadName) throws Exception {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      java.util.Set<Long> before = new java.util.HashSet<>();
      for (long id : mx.getAllThreadIds()) {
        before.add(id);
      }
      Map<Long, Long> last = new HashMap<>();
      Map<Long, String> names = new HashMap<>();
      long[] loopStart = new long[1];
      Thread worker =
          new Thread(
              () -> {
                body.run();
                long[] s = LOOP_START.get();
                loopStart[0] = s == null ? 0 : s[0];
              },
              threadName);
      long p0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      worker.start();
      before.add(Thread.currentThread().getId());
      while (worker.isAlive()) {
        sample(mx, before, last, names);
        worker.join(10);
      }
      sample(mx, before, last, names);
      CpuWindow w = new CpuWindow();
      w.wallS = (System.nanoTime() - t0) / 1e9;
      w.processCpuS = (os.getProcessCpuTime() - p0) / 1e9;
      long all = 0;
      long task = 0;
      for (Map.Entry<Long, Long> e : last.entrySet()) {
        String name = names.get(e.getKey());
        long ns = e.getValue();
        if ("bench-body".equals(name)) {
          ns -= loopStart[0];
        }
        all += ns;
        if (name.contains("(1/1)#")
            || name.startsWith("Source Data Fetcher")
            || "bench-body".equals(name)) {
          task += ns;
          w.perThread.merge(name, ns / 1e9, Double::sum);
        }
      }
      w.cpuS = all / 1e9;
      w.taskCpuS = task / 1e9;
      return w;
    }

    private static void sample(
        ThreadMXBean mx,
        java.util.Set<Long> before,
        Map<Long, Long> last,
        Map<Long, String> names) {
      List<Long> fresh = new ArrayList<>();
      for (long id : mx.getAllThreadIds()) {
        if (!before.contains(id)) {
          fresh.add(id);
        }
      }
      for (long id : fresh) {
        long ns = mx.getThreadCpuTime(id);
        if (ns >= 0) {
          last.put(id, ns);
          if (!names.containsKey(id)) {
            var info = mx.getThreadInfo(id);
            names.put(id, info == null ? "?" : info.getThreadName());
          }
        }
      }
    }
  }
}
