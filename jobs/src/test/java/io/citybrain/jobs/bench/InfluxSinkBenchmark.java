package io.citybrain.jobs.bench;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Points per second through {@link InfluxSink} on a local Flink environment, against a bare
 * influxdb-client-java write loop (same points, same batch size, same embedded QuestDB), in one
 * run. Not run by {@code verify}; see docs/benchmarks.md for the command.
 *
 * <p>Arguments: points per run (default 300000), batch size (default 1000).
 */
public final class InfluxSinkBenchmark {

  private static final long BASE = 1_767_600_000_000L; // 2026-01-05T08:00:00Z
  private static final int SEGMENTS = 1000;

  public static void main(String[] args) throws Exception {
    long points = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Path dir = Files.createTempDirectory("citybrain-bench-");
    try (EmbeddedQuestDb store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0)) {
      InfluxSettings settings = new InfluxSettings(store.url(), "citybrain", "citybrain", "bench");
      bare(settings, "warm-", points / 5, batch);
      sink(settings, "warm-sink-", points / 5, batch, 1);
      System.out.printf("points per run %d, batch %d%n", points, batch);
      for (int round = 1; round <= 2; round++) {
        report(
            "bare influxdb-client-java loop",
            points,
            bare(settings, "bare" + round + "-", points, batch));
        report(
            "InfluxSink, parallelism 1",
            points,
            sink(settings, "sink" + round + "-", points, batch, 1));
        report(
            "InfluxSink, parallelism 2",
            points,
            sink(settings, "sinkp" + round + "-", points, batch, 2));
      }
    }
    System.exit(0); // QuestDB's and Flink's non-daemon threads
  }

  static Point point(String prefix, long i) {
    return Point.measurement("traffic_segment")
        .addTag("segment", prefix + (i % SEGMENTS))
        .addTag("district", "330106")
        .addTag("road_class", "arterial")
        .addField("speed_kmh", 20 + (i % 40))
        .addField("flow_vph", 600.0 + (i % 300))
        .addField("occupancy", (i % 100) / 100.0)
        .addField("tti", 1 + (i % 9) / 3.0)
        .addField("samples", i % 50)
        .time(BASE + (i / SEGMENTS) * 60_000L, WritePrecision.MS);
  }

  private static long bare(InfluxSettings s, String prefix, long points, int batch) {
    long t0 = System.nanoTime();
    try (InfluxDBClient client =
        InfluxDBClientFactory.create(s.url(), s.token().toCharArray(), s.org(), s.bucket())) {
      WriteApiBlocking writes = client.getWriteApiBlocking();
      List<String> lines = new ArrayList<>(batch);
      for (long i = 0; i < points; i++) {
        lines.add(point(prefix, i).toLineProtocol());
        if (lines.size() == batch) {
          writes.writeRecords(s.bucket(), s.org(), WritePrecision.MS, lines);
          lines.clear();
        }
      }
      if (!lines.isEmpty()) {
        writes.writeRecords(s.bucket(), s.org(), WritePrecision.MS, lines);
      }
    }
    return System.nanoTime() - t0;
  }

  /** Wall time of the whole job, submission and start-up included (about a second). */
  private static long sink(InfluxSettings s, String prefix, long points, int batch, int parallelism)
      throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
    env.enableCheckpointing(1000);
    env.fromSequence(0, points - 1)
        .name("points")
        .uid("points")
        .sinkTo(
            InfluxSink.<Long>builder()
                .settings(s)
                .converter(i -> point(prefix, i))
                .batchSize(batch)
                .build())
        .name("store")
        .uid("store");
    long t0 = System.nanoTime();
    env.execute("sink benchmark");
    return System.nanoTime() - t0;
  }

  private static void report(String what, long points, long nanos) {
    System.out.printf("%-32s %8.0f points/s (%.2f s)%n", what, points / (nanos / 1e9), nanos / 1e9);
  }
}
