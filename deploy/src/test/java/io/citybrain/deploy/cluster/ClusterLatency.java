package io.citybrain.deploy.cluster;

import io.citybrain.contract.Topics;
import io.citybrain.simulators.Chaos;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Message;
import io.citybrain.simulators.Publisher;
import io.citybrain.simulators.Scenario;
import io.citybrain.simulators.Simulation;
import io.citybrain.simulators.Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * The benchmark behind {@code ClusterLatencyBenchmark}: the cluster with the traffic job, and a
 * simulated fleet publishing <em>in real time</em> (each reading is published when the wall clock
 * reaches its event time), so that event time is wall-clock time and a window closes in the store a
 * measurable time after its end. Three figures:
 *
 * <ul>
 *   <li>publish lag: wall clock at {@code publish} − the reading's event time (the pacing's own
 *       error);
 *   <li>ingest: wall clock when a consumer tailing the raw topics receives the record − the wall
 *       clock at its {@code publish} (MQTT → bridge → Kafka, committed on the in-sync replicas);
 *   <li>publish → row: per row of {@code traffic_segment} and {@code traffic_district}, the first
 *       poll of the store that sees it − the end of its window (the row's timestamp). The store is
 *       polled every {@value #POLL_MS} ms; a poll's time is taken when its answer arrives, so a
 *       figure is late by at most one poll interval plus a query's duration.
 * </ul>
 *
 * <p>CPU (user + system, /proc) and RSS per process are taken over the paced phase.
 */
public final class ClusterLatency {
  static final long POLL_MS = 100;
  static final long WARM_UP_MS = 90_000;
  private static final List<String> TABLES = List.of("traffic_segment", "traffic_district");

  private ClusterLatency() {}

  /**
   * @param devices simulated devices; the fleet sends about {@code devices / 40} readings a second
   * @param paced how long to publish in real time
   */
  public static void run(Path dir, int devices, Duration paced) throws Exception {
    ClusterCity.Options o =
        ClusterCity.Options.ephemeral(dir, ClusterChecks.FLINK_CLASSPATH, ClusterChecks.JOB_JAR);
    try (ClusterCity cluster =
        ClusterCity.start(
            o.toBuilder()
                .seed(ClusterStream.SEED)
                .devices(devices)
                .jobSettings(Map.of("watermark.idleness", "5"))
                .build(),
            step -> {})) {
      JobID traffic = cluster.submit("traffic", Map.of());
      Awaitility.await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> "RUNNING".equals(ClusterChecks.jobState(cluster, traffic)));

      Map<String, Long> publishedAt = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      Samples ingest = new Samples();
      Samples ingestWarm = new Samples();
      long[] warmFrom = {Long.MAX_VALUE};
      CountDownLatch positioned = new CountDownLatch(1);
      Thread tail =
          new Thread(
              () ->
                  tail(
                      cluster.kafkaBootstrap(),
                      publishedAt,
                      ingest,
                      ingestWarm,
                      warmFrom,
                      stop,
                      positioned),
              "raw-tail");
      tail.start();
      // The first reading is published only once the tail sits at the topics' ends.
      if (!positioned.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "the raw-topic tail did not reach the topics' ends within 2 minutes");
      }

      // table -> window end (ms) -> {rows seen, latency of its first rows, of its last rows}
      Map<String, Map<Long, long[]>> firstSeen = new HashMap<>();
      Map<String, Samples> rowLatency = new LinkedHashMap<>();
      TABLES.forEach(t -> rowLatency.put(t, new Samples()));
      List<Long> pollGaps = new ArrayList<>();

      Fleet fleet =
          Fleet.build(
              io.citybrain.geo.CityPackage.generatedHangzhou(ClusterStream.SEED),
              devices,
              ClusterStream.SEED);
      Instant start = Instant.now();
      warmFrom[0] = start.toEpochMilli() + WARM_UP_MS;
      Simulation sim =
          new Simulation(
              fleet,
              new Simulation.Settings(
                  ClusterStream.SEED, Scenario.NORMAL_DAY, 1, null, start, Chaos.NONE));
      Stats stats = new Stats();
      Samples lag = new Samples();
      long end = start.toEpochMilli() + paced.toMillis();
      // Windows whose end lies inside the paced phase with room for the out-of-orderness after it,
      // after a warm-up: the freshly started JVMs compile (JIT) and catch up in the first minute.
      long firstWindowEnd = start.toEpochMilli() + WARM_UP_MS;
      long lastWindowEnd = end - 15_000;
      ProcessCpu cpu0 = ProcessCpu.now(cluster);
      long t0 = System.nanoTime();
      long lastPoll = 0;
      long published = 0;
      try (Publisher p =
          new Publisher(
              new Publisher.Target(cluster.mqttUrl(), "latency-sim", null, null, 1),
              0,
              null,
              stats)) {
        while (true) {
          long now = System.currentTimeMillis();
          if (now >= end + 5_000) {
            break;
          }
          if (now < end && sim.nextDue() <= now) {
            for (Message m : sim.next()) {
              long before = System.currentTimeMillis();
              publishedAt.put(id(m), before);
              p.publish(m);
              lag.add(before - m.eventTs());
              published++;
            }
            continue;
          }
          if (now - lastPoll >= POLL_MS) {
            poll(
                cluster,
                start.toEpochMilli() - 60_000,
                firstSeen,
                firstWindowEnd,
                lastWindowEnd,
                rowLatency);
            long after = System.currentTimeMillis();
            if (lastPoll > 0) {
              pollGaps.add(after - lastPoll);
            }
            lastPoll = after;
            continue;
          }
          Thread.sleep(Math.max(1, Math.min(sim.nextDue() - now, POLL_MS - (now - lastPoll))));
        }
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      ProcessCpu cpu1 = ProcessCpu.now(cluster);
      // The rows of the last windows: poll on until they are complete, as in the paced phase.
      long settle = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < settle) {
        poll(
            cluster,
            start.toEpochMilli() - 60_000,
            firstSeen,
            firstWindowEnd,
            lastWindowEnd,
            rowLatency);
        Thread.sleep(POLL_MS);
      }
      stop.set(true);
      tail.join();

      System.out.printf(
          "devices %,d, paced %d s, published %,d readings (%,.0f/s), acknowledged %,d, failed %,d%n",
          devices,
          paced.toSeconds(),
          published,
          published / (paced.toMillis() / 1000.0),
          stats.acked(),
          stats.failed());
      System.out.printf(
          "windows measured: ends in [%s, %s]%n",
          Instant.ofEpochMilli(firstWindowEnd), Instant.ofEpochMilli(lastWindowEnd));
      System.out.printf(
          "store poll interval: mean %.0f ms, p99 %d ms, max %d ms%n",
          pollGaps.stream().mapToLong(Long::longValue).average().orElse(0),
          percentile(pollGaps.stream().mapToLong(Long::longValue).toArray(), 0.99),
          pollGaps.stream().mapToLong(Long::longValue).max().orElse(0));
      System.out.printf(
          "%-40s %9s %8s %8s %8s %8s%n", "figure (ms)", "n", "p50", "p99", "max", "min");
      lag.print("publish lag (publish - event time)");
      ingest.print("ingest (publish -> in raw Kafka topic)");
      ingestWarm.print("  the same, published after the warm-up");
      rowLatency.forEach((t, s) -> s.print("window end -> row visible, " + t));
      System.out.printf(
          "per window: end, rows, ms from window end to its first / last rows visible%n");
      for (String t : TABLES) {
        new TreeMap<>(firstSeen.getOrDefault(t, Map.of()))
            .forEach(
                (w, f) -> {
                  System.out.printf(
                      "  %-16s %s %,7d %7d %7d%s%n",
                      t,
                      Instant.ofEpochMilli(w),
                      f[0],
                      f[1],
                      f[2],
                      w <= firstWindowEnd
                          ? "  (warm-up, not in the figures)"
                          : w > lastWindowEnd ? "  (after the paced phase)" : "");
                });
      }
      cpu1.printSince(cpu0, cluster, published, wall);
    }
  }

  /** The device and event time a raw record is keyed and stamped with by the bridge. */
  private static String id(Message m) {
    return m.topic().substring(m.topic().lastIndexOf('/') + 1) + "@" + m.eventTs();
  }

  /** Counts each window's rows; rows new since the last poll are taken as first visible now. */
  private static void poll(
      ClusterCity cluster,
      long since,
      Map<String, Map<Long, long[]>> seen,
      long firstWindowEnd,
      long lastWindowEnd,
      Map<String, Samples> latency) {
    for (String table : TABLES) {
      List<Map<String, Object>> rows;
      try {
        rows =
            ClusterChecks.storeQuery(
                cluster,
                "SELECT timestamp, count() n FROM " + table + " WHERE timestamp > " + since * 1000);
      } catch (RuntimeException noTableYet) {
        continue; // the sink creates the table with its first rows
      }
      long now = System.currentTimeMillis();
      Map<Long, long[]> windows = seen.computeIfAbsent(table, t -> new HashMap<>());
      for (Map<String, Object> r : rows) {
        long windowEnd = Instant.parse(String.valueOf(r.get("timestamp"))).toEpochMilli();
        long n = ((Number) r.get("n")).longValue();
        long[] w = windows.computeIfAbsent(windowEnd, k -> new long[] {0, now - k, 0});
        if (n > w[0]) {
          if (windowEnd > firstWindowEnd && windowEnd <= lastWindowEnd) {
            latency.get(table).add(now - windowEnd, n - w[0]);
          }
          w[0] = n;
          w[2] = now - windowEnd;
        }
      }
    }
  }

  /**
   * Reads the raw topics from their ends and times each record's arrival against its publishing.
   */
  private static void tail(
      String bootstrap,
      Map<String, Long> publishedAt,
      Samples ingest,
      Samples ingestWarm,
      long[] warmFrom,
      AtomicBoolean stop,
      CountDownLatch positioned) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                100,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : Topics.ALL) {
        if (t.startsWith(Topics.RAW_PREFIX)) {
          consumer
              .partitionsFor(t)
              .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
        }
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position);
      positioned.countDown();
      while (!stop.get()) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
          Long at = publishedAt.remove(rec.key() + "@" + rec.timestamp());
          if (at != null) {
            long ms = System.currentTimeMillis() - at;
            ingest.add(ms);
            if (at >= warmFrom[0]) {
              ingestWarm.add(ms);
            }
          }
        }
      }
    }
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    long[] s = sorted.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  }

  /** Latencies in ms, each with a weight (rows made visible by one poll share one figure). */
  static final class Samples {
    private final TreeMap<Long, Long> counts = new TreeMap<>();
    private long n;

    synchronized void add(long ms) {
      add(ms, 1);
    }

    synchronized void add(long ms, long weight) {
      counts.merge(ms, weight, Long::sum);
      n += weight;
    }

    synchronized long quantile(double q) {
      long rank = Math.max(1, (long) Math.ceil(q * n));
      long acc = 0;
      for (Map.Entry<Long, Long> e : counts.entrySet()) {
        acc += e.getValue();
        if (acc >= rank) {
          return e.getKey();
        }
      }
      return -1;
    }

    synchronized void print(String what) {
      long min = counts.isEmpty() ? -1 : counts.firstKey();
      long max = counts.isEmpty() ? -1 : counts.lastKey();
      System.out.printf(
          "%-40s %,9d %8d %8d %8d %8d%n", what, n, quantile(0.5), quantile(0.99), max, min);
    }
  }
}
