package io.citybrain.jobs.traffic.bench;

import static io.citybrain.jobs.bench.JobBench.count;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.jobs.bench.JobBench;
import io.citybrain.jobs.bench.JobBench.Counting;
import io.citybrain.jobs.bench.JobBench.CpuWindow;
import io.citybrain.jobs.common.DeviceTrack;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaCoordinate;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import io.citybrain.jobs.traffic.DistrictTraffic;
import io.citybrain.jobs.traffic.GeoSegmentMatcher;
import io.citybrain.jobs.traffic.ProbeFix;
import io.citybrain.jobs.traffic.ProbeFleet;
import io.citybrain.jobs.traffic.SegmentTraffic;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.jobs.traffic.TrafficReadings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Throughput of the traffic job from Kafka to its sinks, per core, at a given number of probe
 * vehicles, and its state per vehicle. Not part of the test suite; run by hand
 * (docs/benchmarks.md).
 *
 * <p>An in-process Kafka broker is pre-loaded with probe fixes of vehicles driving along road
 * segments of the city of seed 42 (one fix every 10 s each). Then, over the same records and in the
 * same JVM: (1) a bare Kafka consumer that decodes each record with the job's own decoder
 * (Jackson), (2) the same plus map matching, (3) the real job ({@link TrafficJob#build}: Kafka
 * source, decode, jump filter, map matching, segment and district windows, incidents) at
 * parallelism 1 into sinks that render each row as the line protocol the store sink sends and count
 * it. CPU time is per thread (ThreadMXBean), summed over the threads that the run started — Flink's
 * task threads and the Kafka fetcher for the job, the loop's thread for the baselines — so the
 * in-process broker's CPU and the other engineers' load are not in the figure.
 */
public final class TrafficJobBenchmark {

  private static final String TOPIC = "bench.raw.traffic";
  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  private static final long FIX_MS = ProbeFleet.FIX_MS;

  public static void main(String[] args) throws Exception {
    int vehicles = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    int fixes = Math.max(1, events / vehicles);
    Path dir = Files.createTempDirectory("traffic-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of())) {
      String bootstrap = kafka.bootstrapServers();
      long t = System.nanoTime();
      long n = preload(bootstrap, vehicles, fixes);
      System.out.printf(
          Locale.ROOT,
          "%,d vehicles x %d fixes = %,d events in Kafka (%.1f s to generate and load)%n",
          vehicles,
          fixes,
          n,
          (System.nanoTime() - t) / 1e9);
      runJob(bootstrap, n, "warm-up (full job)");
      // The baselines get their warm-up too: measured cold, the first of them ran slower than the
      // second, which does more (the run of 2026-11-25 below in docs/benchmarks.md).
      loop(bootstrap, n, true, "warm-up (baseline 2)");
      Figures decode = loop(bootstrap, n, false, "baseline 1: Kafka consumer + JSON decode");
      Figures match = loop(bootstrap, n, true, "baseline 2: + map matching");
      Figures job = runJob(bootstrap, n, "traffic job, Kafka to sinks");
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "| vehicles | events | figure | events per CPU-second (per core) | CPU s | wall s |%n");
      for (Figures f : List.of(decode, match, job)) {
        System.out.printf(
            Locale.ROOT,
            "| %,d | %,d | %s | %,.0f | %.2f | %.1f |%n",
            vehicles,
            n,
            f.label,
            n / f.cpuS,
            f.cpuS,
            f.wallS);
      }
      System.out.printf(
          Locale.ROOT,
          "job rows: %,d traffic_segment, %,d traffic_district, %,d alerts, %,d dead letters; "
              + "process CPU of the job run %.2f s (includes the broker, GC and the MiniCluster)%n",
          count("segments"),
          count("districts"),
          count("alerts"),
          count("deadletters"),
          job.processCpuS);
      stateEstimate(vehicles);
    }
    System.exit(0);
  }

  /**
   * Vehicles on segments 100–500 m long (so that wrapping back to a segment's start in 10 s stays
   * below 200 km/h).
   */
  private static long preload(String bootstrap, int vehicles, int fixes) throws Exception {
    JobBench.createTopics(bootstrap, List.of(TOPIC));
    return JobBench.produce(bootstrap, TOPIC, out -> ProbeFleet.drive(vehicles, fixes, T0, out));
  }

  record Figures(String label, double cpuS, double wallS, double processCpuS) {}

  private static Figures loop(String bootstrap, long n, boolean match, String label)
      throws Exception {
    long[] matched = new long[1];
    Runnable body =
        () -> {
          GeoSegmentMatcher matcher = new GeoSegmentMatcher(42);
          if (match) {
            // Outside the figure in the job too: once per task, before the first record.
            matcher.open();
          }
          try (KafkaConsumer<byte[], byte[]> consumer =
              JobBench.consumerFromStart(bootstrap, TOPIC)) {
            long seen = 0;
            CpuWindow.start();
            while (seen < n) {
              for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                seen++;
                try {
                  ProbeFix f =
                      TrafficReadings.decode(
                          new KafkaEvent(r.topic(), null, r.value(), r.timestamp()));
                  if (match && matcher.match(f.lon(), f.lat(), f.headingDeg()).isPresent()) {
                    matched[0]++;
                  }
                } catch (Rejected ex) {
                  throw new IllegalStateException(ex);
                }
              }
            }
          }
        };
    CpuWindow w = CpuWindow.around(body, "bench-body");
    if (match) {
      System.out.printf(
          Locale.ROOT, "map matching placed %,d of %,d fixes on a segment%n", matched[0], n);
    }
    System.out.printf(Locale.ROOT, "%-45s %6.2f s CPU, %6.1f s wall%n", label, w.cpuS, w.wallS);
    return new Figures(label, w.cpuS, w.wallS, w.processCpuS);
  }

  private static Figures runJob(String bootstrap, long n, String label) throws Exception {
    JobBench.clearCounts();
    JobSettings s = JobBench.settings(bootstrap, 42L);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    JobEnvironment.configure(env, s);
    new TrafficJob(
            JobBench.bounded(bootstrap, TOPIC),
            new Counting<SegmentTraffic>(
                "segments", t -> TrafficJob.toPoint(t).toLineProtocol().length()),
            new Counting<DistrictTraffic>(
                "districts", t -> TrafficJob.toPoint(t).toLineProtocol().length()),
            new Counting<Alert>("alerts", a -> a.toJson().length),
            new Counting<DeadLetter>("deadletters", d -> d.toJson().length),
            new GeoSegmentMatcher(42),
            s)
        .build(env);
    // The driver thread builds the job graph and starts the MiniCluster: not the job's work.
    CpuWindow w =
        CpuWindow.around(
            () -> {
              try {
                env.execute(label);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "bench-driver");
    System.out.printf(
        Locale.ROOT,
        "%-45s %6.2f s CPU in task threads, %6.1f s wall, %,d segment rows%n",
        label,
        w.taskCpuS,
        w.wallS,
        count("segments"));
    JobBench.printBusyThreads(w);
    return new Figures(label, w.taskCpuS, w.wallS, w.processCpuS);
  }

  /**
   * Per-vehicle state is the event-time ordering's one value per vehicle, which also holds the jump
   * filter's last accepted fix (windows and incident history are per segment, shared by all
   * vehicles on it). Bytes as a RocksDB backend stores one entry: key group 2 B + vehicle id + the
   * value by its serializer.
   */
  private static void stateEstimate(int vehicles) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    Types.STRING.createSerializer(new SerializerConfigImpl()).serialize("v-" + (vehicles - 1), out);
    int key = out.length();
    // The event-time ordering's one value per vehicle (DeviceTrack): the times it handed on, for
    // the window plus the allowed lateness (60 s each here) and on average half a sweep interval
    // more, at one fix every FIX_MS; and the pending reading, held for the out-of-orderness (5 s of
    // each 10 s). Measured with the track's own serializer.
    double remembered = (60_000.0 + 60_000.0 + 15_000.0) / FIX_MS;
    ProbeFix pending =
        new ProbeFix(
            "v-" + (vehicles - 1),
            "probe",
            T0,
            120.1,
            30.2,
            42.0,
            90.0,
            1,
            0,
            0,
            new KafkaCoordinate(TOPIC, 0, 123_456_789L));
    DeviceTrack.Serializer<ProbeFix> tracks =
        new DeviceTrack.Serializer<>(
            TypeInformation.of(ProbeFix.class).createSerializer(new SerializerConfigImpl()));
    double[] bytes = new double[2];
    for (int withPending = 0; withPending < 2; withPending++) {
      for (int times = (int) remembered; times <= (int) remembered + 1; times++) {
        DeviceTrack<ProbeFix> track = new DeviceTrack<>();
        for (int k = 0; k < times; k++) {
          track.remember(T0 - (long) k * FIX_MS);
        }
        if (withPending == 1) {
          track.addPending(T0 + FIX_MS, pending);
        }
        track.setFix(120.1, 30.2, T0);
        out.clear();
        tracks.serialize(track, out);
        double weight = times == (int) remembered ? 1 - (remembered % 1) : remembered % 1;
        bytes[withPending] += weight * (2 + key + out.length());
      }
    }
    double order = (bytes[0] + bytes[1]) / 2;
    System.out.printf(
        Locale.ROOT,
        "state per vehicle (serializer estimate, RocksDB layout): %.0f B (one value: key group 2"
            + " + vehicle id %d + %.1f remembered times and the last accepted fix, %.0f B; %.0f B"
            + " with a pending reading, half the time)%n",
        order,
        key,
        remembered,
        bytes[0],
        bytes[1]);
  }
}
