package io.citybrain.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.sun.net.httpserver.HttpServer;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Influx sink through faults, on a MiniCluster with checkpointing, writing to the real embedded
 * store. Every test writes the same deterministic points (one per record: a district tag and a
 * window-end time derived from the record number) under its own district prefix, and compares the
 * stored rows with what those points are — which is what a clean run stores.
 */
class InfluxSinkITCase {

  /**
   * How long the store stays down: 25 s, so the sink's retries reach their 10 s backoff cap (about
   * 12.6 s of doubling from 200 ms before it) and retry at it, as through a real restart of
   * InfluxDB. A longer outage only waits longer in the same state, up to the default 20 retries
   * (about 2.5 minutes); {@code -Dcitybrain.outage.seconds=60} shows it.
   */
  static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("citybrain.outage.seconds", 25));

  private static final long RECORDS = 3_000;
  private static final int DISTRICTS = 10;
  private static final long FIRST_WINDOW_END = 1_767_600_000_000L; // 2026-01-05T08:00:00Z
  private static final String TOKEN = "wrong-s3cret";

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  /** Records that went through the throttle, across restarts of the job. */
  static final AtomicLong PASSED = new AtomicLong();

  static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
  static final AtomicBoolean FAILED = new AtomicBoolean();

  @BeforeEach
  void reset() {
    PASSED.set(0);
    CHECKPOINTED.set(false);
    FAILED.set(false);
  }

  @Test
  void aStoreDownForAWhileBackpressuresTheJobAndLosesNothing() throws Exception {
    Path root = dir.resolve("questdb");
    EmbeddedQuestDb first = EmbeddedQuestDb.start(root, 0);
    int port = first.port();
    JobClient job;
    long atStop;
    try {
      job = submit(first.url(), "outage-", false);
      await().atMost(Duration.ofMinutes(1)).until(() -> count(first, "outage-") >= 100);
    } finally {
      first.close();
    }
    atStop = PASSED.get();
    Thread.sleep(OUTAGE.toMillis() / 3);
    long aThirdIn = PASSED.get();
    Thread.sleep(OUTAGE.toMillis() - OUTAGE.toMillis() / 3);
    long atRestart = PASSED.get();
    try (EmbeddedQuestDb again = EmbeddedQuestDb.start(root, port)) {
      // Backpressure: the sink is chained to the throttle, so while it waits for the store no
      // record moves, beyond one batch that was in flight when the store stopped.
      assertThat(atStop).isLessThan(RECORDS);
      assertThat(aThirdIn).isLessThanOrEqualTo(atStop + 50);
      assertThat(atRestart).isEqualTo(aThirdIn);
      assertThat(job.getJobExecutionResult().get(3, TimeUnit.MINUTES)).isNotNull();
      assertStoredExactly(again, "outage-");
    }
  }

  @Test
  void aJobRestartedFromACheckpointStoresTheSameRows() throws Exception {
    try (EmbeddedQuestDb store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0)) {
      JobClient job = submit(store.url(), "replay-", true);
      job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
      assertThat(FAILED).as("the job failed once after a checkpoint and was restarted").isTrue();
      assertStoredExactly(store, "replay-");
    }
  }

  @Test
  void aWrongTokenFailsNamingTheSettingWithoutPrintingTheToken() throws Exception {
    // QuestDB ignores tokens, so this one test needs a server that checks them. The JDK's own HTTP
    // server answers exactly what InfluxDB 2.x answers a wrong token: 401 with its JSON error.
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer influx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    influx.createContext(
        "/api/v2/write",
        exchange -> {
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    influx.start();
    try {
      JobClient job = submit("http://127.0.0.1:" + influx.getAddress().getPort(), "token-", false);
      assertThatThrownBy(() -> job.getJobExecutionResult().get(2, TimeUnit.MINUTES))
          .hasStackTraceContaining("refused the credentials (HTTP 401): check influx.token")
          .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(TOKEN));
      assertThat(authorizations).contains("Token " + TOKEN);
      assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.FAILED);
    } finally {
      influx.stop(0);
    }
  }

  /** Record {@code i} as a point: what a window of district {@code i % 10} emitted. */
  static Point toPoint(String prefix, long i) {
    return Point.measurement("traffic_district")
        .addTag("district", prefix + (i % DISTRICTS))
        .addField("mean_speed_kmh", i / 2.0)
        .addField("samples", i)
        .time(FIRST_WINDOW_END + (i / DISTRICTS) * 60_000L, WritePrecision.MS);
  }

  private static JobClient submit(String url, String prefix, boolean failOnce) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, failOnce ? "fixed-delay" : "none");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    env.configure(conf);
    env.setParallelism(1);
    env.enableCheckpointing(500);
    InfluxSink<Long> sink =
        InfluxSink.<Long>builder()
            .settings(new InfluxSettings(url, "citybrain", "citybrain", TOKEN))
            .converter(i -> toPoint(prefix, i))
            .batchSize(50)
            .flushInterval(Duration.ofMillis(200))
            .build();
    env.fromSequence(0, RECORDS - 1)
        .name("records")
        .uid("records")
        .map(new Throttle(failOnce))
        .name("throttle")
        .uid("throttle")
        .sinkTo(sink)
        .name("store")
        .uid("store");
    return env.executeAsync("influx-sink-" + prefix);
  }

  private static void assertStoredExactly(EmbeddedQuestDb store, String prefix) {
    Set<String> expected =
        LongStream.range(0, RECORDS)
            .mapToObj(
                i ->
                    row(
                        prefix + (i % DISTRICTS),
                        (FIRST_WINDOW_END + (i / DISTRICTS) * 60_000L) * 1000,
                        i,
                        i / 2.0))
            .collect(Collectors.toSet());
    // The store applies its write-ahead log asynchronously; wait until every row is visible.
    await().atMost(Duration.ofMinutes(1)).until(() -> count(store, prefix) >= RECORDS);
    List<Map<String, Object>> rows =
        store.query(
            "SELECT district, cast(timestamp AS LONG) ts, samples, mean_speed_kmh "
                + "FROM traffic_district WHERE district LIKE '"
                + prefix
                + "%'");
    assertThat(rows).hasSize((int) RECORDS);
    assertThat(
            rows.stream()
                .map(
                    r ->
                        row(
                            (String) r.get("district"),
                            ((Number) r.get("ts")).longValue(),
                            ((Number) r.get("samples")).longValue(),
                            ((Number) r.get("mean_speed_kmh")).doubleValue())))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static String row(String district, long tsMicros, long samples, double meanSpeed) {
    return district + "|" + tsMicros + "|" + samples + "|" + meanSpeed;
  }

  private static long count(EmbeddedQuestDb store, String prefix) {
    try {
      return ((Number)
              store
                  .query(
                      "SELECT count() n FROM traffic_district WHERE district LIKE '"
                          + prefix
                          + "%'")
                  .get(0)
                  .get("n"))
          .longValue();
    } catch (RuntimeException e) {
      return -1; // not answering yet
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /**
   * Paces the stream so that the store's outage falls in its middle, counts what passed, and (when
   * asked) fails once after the first completed checkpoint, so that the job restarts from it.
   */
  static final class Throttle implements MapFunction<Long, Long>, CheckpointListener {
    private final boolean failOnce;

    Throttle(boolean failOnce) {
      this.failOnce = failOnce;
    }

    @Override
    public Long map(Long i) throws Exception {
      if (failOnce && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("failing once after a checkpoint, at record " + i);
      }
      Thread.sleep(3);
      PASSED.incrementAndGet();
      return i;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }
}
