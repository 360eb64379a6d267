package io.citybrain.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.deploy.SameRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos on the multi-process cluster: a deterministic simulated stream of at least a million events
 * is published to Mosquitto while a Kafka broker, a bridge instance and a TaskManager are SIGKILLed
 * and started again, one after another, and the store is stopped for a minute. Afterwards:
 *
 * <ul>
 *   <li>every published event is in a raw topic or among the dead letters (distinct: the bridge is
 *       at-least-once, so some are there twice);
 *   <li>the traffic indicator rows equal, row for row, those of a clean run of the same input
 *       ({@link CleanRun}: the published messages once each, in order, through the same job on a
 *       MiniCluster into a store of its own).
 * </ul>
 *
 * <p>Why the rows can be equal: the job drops repeated deliveries and puts each device's readings
 * in event-time order before counting ({@code EventTimeOrder}); the store upserts a window's row
 * (QuestDB's dedup keys, InfluxDB's series + time), so the rows a restarted job writes again
 * replace themselves; and no reading is late. The last needs care here: the stream replays hours of
 * event time in minutes (about 90 simulated seconds per second since the publisher and the bridges
 * got faster; 50 when this test was written), so a bridge that takes 35 s to come back and then
 * drains what the broker queued for it delivers readings more than an hour of event time behind the
 * others. The job here therefore waits {@link #OUT_OF_ORDERNESS} of event time (about two minutes
 * of the stream) before a window closes, a quiet partition counts as idle only after two minutes,
 * and only windows that both runs must have closed are compared. In production, where event time is
 * the wall clock, the defaults (5 s out-of-orderness, 60 s allowed lateness) cover an outage of
 * about a minute; readings held back longer become {@code late} dead letters, accounted for but not
 * counted (docs/operations.md, failure modes).
 *
 * <p>Runs in {@code verify} (about 10 minutes on two cores); {@link #main} runs it by hand. {@code
 * -Dcitybrain.chaos.events} sets the stream's size (default 1,000,000), {@code
 * -Dcitybrain.chaos.store-outage-s} the store's outage (default 60), {@code
 * -Dcitybrain.chaos.out-of-orderness-min} the job's out-of-orderness (default 180), {@code
 * -Dcitybrain.chaos.rate} the stream's messages per second at most (default 5,000; 0 uncapped).
 */
class ClusterChaosITCase {

  /**
   * How far behind the newest reading a reading may arrive and still count (event time). 90 minutes
   * was a minute of the stream at its 2026-12-07 speed, and a CI run failed on it: 43,535 readings
   * came later than that (bridge-1's queue, drained after its restart) and the rows of their
   * minutes differed. 180 minutes is two minutes of the stream; the windows compared (up to the
   * newest reading minus this) still span all four faults: the TaskManager's restart replays every
   * window still open, and the windows of the store's outage close before the cut-off.
   */
  static final Duration OUT_OF_ORDERNESS =
      Duration.ofMinutes(Long.getLong("citybrain.chaos.out-of-orderness-min", 180));

  /**
   * Messages per second the stream is published at, at most (about 6,100 uncapped on the 2-core CI
   * machine). Why a cap: Mosquitto queues half the stream for a bridge instance that is down (it
   * keeps its place in the shared subscription), gives each queued message its packet id when it
   * queues it, and Debian 12's 2.0.11 sends far more of that queue than its in-flight window when
   * the instance is back (ids had wrapped 4 s after the resume, at 1,000 in flight). A queue longer
   * than the 65,535 packet ids then puts two unacknowledged messages with one id on the wire; the
   * bridge's client drops the connection on that protocol error, and in the CI run of 2026-12-07
   * that failed, 1,010 queued events never came (bridge-1 was away ~21 s at ~3,070 messages per
   * second: ~65,800 queued). docs/ingest.md has this known issue; Mosquitto 2.0.13 and later (the
   * Kubernetes manifests' 2.0.20) send no more than the in-flight window. At 5,000 per second
   * bridge-1's queue stays near 40,000, well inside the ids, and the test checks what it was
   * written for: the bridge's, Kafka's and Flink's recovery, not a broker bug we cannot fix.
   */
  static final double MAX_RATE =
      Double.parseDouble(System.getProperty("citybrain.chaos.rate", "5000"));

  @TempDir Path dir;

  // Ten minutes here; the build's default of 15 would leave no room for a slower machine.
  @Test
  @Timeout(value = 40, unit = java.util.concurrent.TimeUnit.MINUTES)
  void everyEventIsAccountedForAndTheRowsEqualACleanRun() throws Exception {
    run(
        dir,
        Long.getLong("citybrain.chaos.events", 1_000_000L),
        Duration.ofSeconds(Long.getLong("citybrain.chaos.store-outage-s", 60L)));
  }

  public static void main(String[] args) throws Exception {
    Path d = Files.createTempDirectory("citybrain-chaos");
    run(d, args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L, Duration.ofSeconds(60));
  }

  static void run(Path dir, long events, Duration storeOutage) throws Exception {
    Map<String, String> figures = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    // Scaled like the out-of-orderness: every partition has data all the time here, so a partition
    // that goes quiet is one whose leader moved or whose split waits behind a backlog, and it must
    // hold the watermark back rather than be declared idle (its readings would come late).
    Map<String, String> jobSettings =
        Map.of(
            "watermark.idleness",
            "120",
            "watermark.out-of-orderness",
            String.valueOf(OUT_OF_ORDERNESS.toSeconds()));
    ClusterCity.Options o =
        ClusterCity.Options.ephemeral(dir, ClusterChecks.FLINK_CLASSPATH, ClusterChecks.JOB_JAR);
    // The stream replays hours of simulated time just past (ClusterStream: ~5.5 h for a million
    // events, ending now): far older than the bridges' default bridge.max-reading-age of 2 h, so
    // the bridges, like the clean run's validator below, run with the age limit off.
    ClusterCity stopped = null;
    try (ClusterCity cluster =
        ClusterCity.start(
            o.toBuilder()
                .seed(ClusterStream.SEED)
                .devices(ClusterStream.DEVICES)
                .jobSettings(jobSettings)
                .maxReadingAge(IngestValidator.NO_AGE_LIMIT)
                // Every process's /metrics, Flink's too (ClusterChecks); on every interface, which
                // a CI machine allows.
                .flinkMetrics(true)
                .build(),
            step -> System.out.println("chaos: starting " + step))) {
      figures.put("cluster up", secondsSince(t0));
      // The test plays the operator who brings each part back; the cluster only reports the exits.
      List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
      cluster.watch(false, reports::add);
      JobID traffic = cluster.submit("traffic", Map.of());
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> "RUNNING".equals(ClusterChecks.jobState(cluster, traffic)));

      long p0 = System.nanoTime();
      ClusterStream stream = ClusterStream.publish(cluster, dir, events, "chaos-sim", MAX_RATE);

      // The outages, one after another while the stream flows; the TaskManager's comes when rows
      // are being written, so a restored job writes some rows again.
      sleep(Duration.ofSeconds(15));
      outage(
          figures,
          "kafka-2 down (SIGKILL -> listening again)",
          p0,
          cluster.brokers().get(1)::kill,
          Duration.ofSeconds(15),
          cluster.brokers().get(1)::start);
      outage(
          figures,
          "bridge-1 down (SIGKILL -> subscribed again)",
          p0,
          cluster.bridges().get(0)::kill,
          // Started again at once, as a supervisor (systemd, Kubernetes) does; starting a JVM on
          // this busy machine keeps it away 15-20 s anyway (see MAX_RATE).
          Duration.ZERO,
          cluster.bridges().get(0)::start);
      outage(
          figures,
          "taskmanager-1 down (SIGKILL -> registered again)",
          p0,
          cluster.taskManagers().get(0)::kill,
          Duration.ofSeconds(5),
          () -> {
            cluster.taskManagers().get(0).start();
            cluster.awaitTaskManagers(ClusterCity.TASK_MANAGERS, Duration.ofMinutes(2));
          });
      outage(
          figures,
          "store down (SIGTERM -> ready again)",
          p0,
          () -> cluster.store().stop(Duration.ofSeconds(30)),
          storeOutage,
          cluster.store()::start);
      // Each SIGKILL was reported with the process's name, exit code and log; the store's SIGTERM,
      // a decision, was not.
      for (String killed : List.of("kafka-2", "bridge-1", "flink-taskmanager-1")) {
        assertThat(reports)
            .as("the report of " + killed + "'s SIGKILL")
            .anyMatch(
                r ->
                    r.startsWith(killed + " exited with code 137 (signal 9")
                        && r.contains("the last lines of "));
      }
      assertThat(reports).as("reports").noneMatch(r -> r.startsWith("questdb"));
      figures.put("exits the cluster reported", String.valueOf(reports.size()));

      stream.awaitPublished();
      figures.put("publishing", secondsSince(p0));
      assertThat(stream.stats.failed()).as("publishes the broker refused").isZero();

      // Every published event, distinct, in a raw topic or among the dead letters.
      Set<String> published = stream.published();
      figures.put("events published (distinct)", String.format("%,d", published.size()));
      assertThat(published.size())
          .as("events published")
          .isGreaterThanOrEqualTo((int) Math.min(events, Integer.MAX_VALUE) * 9 / 10);
      long c0 = System.nanoTime();
      ClusterStream.ReadBack back =
          ClusterStream.readBack(cluster.kafkaBootstrap(), published, Duration.ofMinutes(5));
      Set<String> found = back.found();
      figures.put(
          "records read back (raw + dead letters, with duplicates)",
          String.format("%,d", back.records()));
      figures.put(
          "records beyond the distinct events (redeliveries; late dead letters of readings also in a raw topic)",
          String.format("%,d", back.records() - found.size()));
      figures.put("dead letters by reason", back.deadLetters().toString());
      figures.put("reading back", secondsSince(c0));
      Set<String> missing = new HashSet<>(published);
      missing.removeAll(found);
      if (!missing.isEmpty()) {
        // What it takes to tell which outage lost them: when they were published, and what the
        // bridges and the broker said.
        System.out.println(
            "chaos: missing events "
                + stream.whenPublished(missing, p0)
                + "; figures so far "
                + figures);
        for (ChildProcess p : cluster.bridges()) {
          printNotable(p);
        }
        printNotable(cluster.mosquitto());
      }
      assertThat(missing)
          .as(
              "events published but in no raw topic and not dead-lettered (%d of %d)",
              missing.size(), published.size())
          .isEmpty();

      // The same input, clean, next to it; then the rows of every window both runs closed.
      long cl = System.nanoTime();
      try (CleanRun clean = CleanRun.start(dir)) {
        long fed =
            clean.feed(
                stream.recording,
                new IngestValidator(
                    DeviceRegistry.read(cluster.registry()), IngestValidator.NO_AGE_LIMIT));
        clean.runTraffic(jobSettings, ClusterStream.SEED);
        figures.put(
            "clean run (" + String.format("%,d", fed) + " raw traffic records, MiniCluster)",
            secondsSince(cl));

        long cutoff =
            stream
                    .start
                    .plus(stream.simulated)
                    .minus(OUT_OF_ORDERNESS)
                    .minus(Duration.ofMinutes(2))
                    .toEpochMilli()
                * 1000;
        long r0 = System.nanoTime();
        figures.put(
            "rows compared up to",
            Instant.ofEpochMilli(cutoff / 1000)
                + " (stream "
                + stream.start
                + " to "
                + stream.start.plus(stream.simulated)
                + ")");
        figures.put("minutes whose samples differ (chaos vs clean), while waiting", "see below");
        await()
            .atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  figures.put(
                      "minutes whose samples differ (chaos vs clean), while waiting",
                      differingMinutes(
                          sql -> ClusterChecks.storeQuery(cluster, sql), clean::query, cutoff));
                  for (String table : List.of("traffic_segment", "traffic_district")) {
                    String count =
                        "SELECT count() n FROM " + table + " WHERE timestamp <= " + cutoff;
                    assertThat(ClusterChecks.storeQuery(cluster, count))
                        .as(table + " rows up to the cut-off, chaos vs clean")
                        .isEqualTo(clean.query(count));
                  }
                  assertThat("RUNNING").isEqualTo(ClusterChecks.jobState(cluster, traffic));
                });
        figures.put("rows settled after the clean run", secondsSince(r0));
        long rows =
            compare(
                sql -> ClusterChecks.storeQuery(cluster, sql),
                clean::query,
                stream.start.toEpochMilli() * 1000,
                cutoff);
        figures.put(
            "rows equal to the clean run's (traffic_segment + traffic_district)",
            String.format("%,d", rows));
        assertThat(rows).as("rows compared").isGreaterThan(events / 20);
      }

      // What an operator sees of the cluster after all that, and what it refuses a stranger: one
      // cluster for these and the chaos, so the suite starts only one (ClusterChecks).
      long k0 = System.nanoTime();
      assertThat(cluster.processes()).allMatch(ChildProcess::alive);
      ClusterChecks.all(cluster);
      figures.put(
          "operator checks (scrapes, pipeline, dispatch, store and REST refusals)",
          secondsSince(k0));
      stopped = cluster;
    } finally {
      if (stopped != null) {
        assertThat(stopped.processes())
            .as("every process of the cluster ended with it")
            .noneMatch(ChildProcess::alive);
      }
      figures.put("total", secondsSince(t0));
      System.out.println("chaos figures:");
      figures.forEach((k, v) -> System.out.printf("  %-66s %s%n", k, v));
    }
  }

  private static void printNotable(ChildProcess p) throws java.io.IOException {
    try (var lines = Files.lines(p.log(), java.nio.charset.StandardCharsets.UTF_8)) {
      lines
          .filter(
              l ->
                  l.contains("WARN")
                      || l.contains("ERROR")
                      || l.contains("connected")
                      || l.contains("lient")
                      || l.contains("drop"))
          .limit(200)
          .forEach(l -> System.out.println("chaos: " + p.name() + ": " + l));
    }
  }

  /**
   * Takes a part down, keeps it down for {@code held}, brings it back; records how long until it
   * was back.
   */
  private static void outage(
      Map<String, String> figures,
      String what,
      long streamStart,
      Runnable down,
      Duration held,
      Runnable up)
      throws InterruptedException {
    long k = System.nanoTime();
    down.run();
    sleep(held);
    up.run();
    figures.put(
        what, secondsSince(k) + ", from " + secondsBetween(streamStart, k) + " into the stream");
  }

  /**
   * The first minutes whose total {@code samples} differ between the stores: where a comparison
   * failure starts.
   */
  private static String differingMinutes(Store chaosStore, Store cleanStore, long toMicros) {
    String sql =
        "SELECT timestamp, sum(samples) s FROM traffic_district WHERE timestamp <= "
            + toMicros
            + " ORDER BY timestamp";
    Map<Object, Object> chaos = new TreeMap<>();
    chaosStore.query(sql).forEach(r -> chaos.put(r.get("timestamp"), r.get("s")));
    Map<Object, Object> clean = new TreeMap<>();
    cleanStore.query(sql).forEach(r -> clean.put(r.get("timestamp"), r.get("s")));
    List<String> diff = new ArrayList<>();
    clean.forEach(
        (t, n) -> {
          if (!n.equals(chaos.get(t)) && diff.size() < 8) {
            diff.add(t + " " + chaos.get(t) + "/" + n);
          }
        });
    return diff.isEmpty() ? "none" : String.join(", ", diff);
  }

  private static String secondsBetween(long fromNanos, long toNanos) {
    return String.format("%.1f s", (toNanos - fromNanos) / 1e9);
  }

  /**
   * Compares both tables an hour of event time at a time (a query's answer stays small); returns
   * the rows compared.
   */
  private static long compare(Store chaosStore, Store cleanStore, long fromMicros, long toMicros) {
    long rows = 0;
    long hour = Duration.ofHours(1).toMillis() * 1000;
    for (long a = fromMicros - 1; a < toMicros; a += hour) {
      long b = Math.min(a + hour, toMicros);
      String range = " WHERE timestamp > " + a + " AND timestamp <= " + b + " ORDER BY timestamp, ";
      String segments =
          "SELECT timestamp, segment, district, road_class, speed_kmh, flow_vph, occupancy, tti, samples"
              + " FROM traffic_segment"
              + range
              + "segment";
      String districts =
          "SELECT timestamp, district, tti, level, mean_speed_kmh, congested_km, samples FROM traffic_district"
              + range
              + "district";
      for (String sql : List.of(segments, districts)) {
        // Sorted here as well: QuestDB may order a symbol column by its dictionary, which each
        // store builds on its own.
        String tag = sql == segments ? "segment" : "district";
        Comparator<Map<String, Object>> order =
            Comparator.comparing((Map<String, Object> r) -> r.get("timestamp").toString())
                .thenComparing(r -> r.get(tag).toString());
        List<Map<String, Object>> expected = new ArrayList<>(cleanStore.query(sql));
        List<Map<String, Object>> actual = new ArrayList<>(chaosStore.query(sql));
        expected.sort(order);
        actual.sort(order);
        SameRows.assertSameRows(actual, expected, sql);
        rows += expected.size();
      }
    }
    return rows;
  }

  /** A store's SQL, with whatever credentials it needs. */
  interface Store {
    List<Map<String, Object>> query(String sql);
  }

  private static String secondsSince(long nanos) {
    return String.format("%.1f s", (System.nanoTime() - nanos) / 1e9);
  }

  private static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
