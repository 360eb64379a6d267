package io.citybrain.jobs.emergency.bench;

import static io.citybrain.jobs.bench.JobBench.count;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.jobs.bench.JobBench;
import io.citybrain.jobs.bench.JobBench.Counting;
import io.citybrain.jobs.bench.JobBench.CpuWindow;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import io.citybrain.jobs.emergency.CommunityTickets;
import io.citybrain.jobs.emergency.EmergencyArea;
import io.citybrain.jobs.emergency.EmergencyFleet;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.jobs.emergency.GeoLocator;
import io.citybrain.jobs.emergency.Place;
import io.citybrain.jobs.emergency.TestSignals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Throughput of the emergency job from Kafka to its sinks, per core (issue 22 item 2), measured as
 * {@code TrafficJobBenchmark} measures the traffic job and with its CPU accounting: an in-process
 * broker pre-loaded with the readings of smoke detectors (70 %), flood sensors (25 %) and SOS
 * wearables (5 %) in the six urban districts of the city of seed 42, one reading every 30 s each,
 * nearly all of them quiet (1 in 2,000 an alarm or a press, so incidents open, are capped and
 * resolve as in a city); then, over the same records in the same JVM, (1) a bare Kafka consumer
 * that decodes, places (district, community, building, fire station) and turns each record into its
 * signal with the job's own functions, the baseline, and (2) the real job ({@link
 * EmergencyJob#build}: source, decode and place, per-device quota, incident lifecycle, area and
 * ticket indicators) at parallelism 1 into sinks that render each row or alert as the store or
 * Kafka would. Not part of the test suite; run by hand (docs/benchmarks.md).
 *
 * <p>Emergency readings older than the quiet period are dead letters ({@code stale-timestamp}), so
 * the readings are stamped in the minutes before the run and the quiet period is set to a day.
 */
public final class EmergencyJobBenchmark {

  private static final String TOPIC = "bench.raw.emergency";
  private static final String ACKS = "bench.acks";
  private static final String GEOGRAPHY = "bench.geography";
  private static final long EVERY_MS = 30_000;
  private static final long SEED = 42L;

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    int rounds = Math.max(1, events / devices);
    Path dir = Files.createTempDirectory("emergency-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of())) {
      String bootstrap = kafka.bootstrapServers();
      long t = System.nanoTime();
      long n = preload(bootstrap, devices, rounds);
      System.out.printf(
          Locale.ROOT,
          "%,d devices x %d readings = %,d events in Kafka (%.1f s to generate and load)%n",
          devices,
          rounds,
          n,
          (System.nanoTime() - t) / 1e9);
      runJob(bootstrap, n, "warm-up (full job)");
      loop(bootstrap, n, "warm-up (baseline)");
      CpuWindow base = loop(bootstrap, n, "baseline: Kafka consumer + decode + place + signal");
      CpuWindow job = runJob(bootstrap, n, "emergency job, Kafka to sinks");
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "| devices | events | figure | events per CPU-second (per core) | CPU s | wall s |%n");
      System.out.printf(
          Locale.ROOT,
          "| %,d | %,d | baseline: decode + place + signal | %,.0f | %.2f | %.1f |%n",
          devices,
          n,
          n / base.cpuS,
          base.cpuS,
          base.wallS);
      System.out.printf(
          Locale.ROOT,
          "| %,d | %,d | emergency job, Kafka to sinks | %,.0f | %.2f | %.1f |%n",
          devices,
          n,
          n / job.taskCpuS,
          job.taskCpuS,
          job.wallS);
      System.out.printf(
          Locale.ROOT,
          "job ÷ baseline %.2f; the job's last run: %,d alerts, %,d emergency_area, "
              + "%,d community_tickets (rows every minute of processing time: none in a short run), "
              + "%,d dead letters; process CPU of the job run %.2f s (includes the broker, GC and "
              + "the MiniCluster)%n",
          (n / job.taskCpuS) / (n / base.cpuS),
          lastRun[0],
          lastRun[1],
          lastRun[2],
          lastRun[3],
          job.processCpuS);
    }
    System.exit(0);
  }

  private static long preload(String bootstrap, int devices, int rounds) throws Exception {
    JobBench.createTopics(bootstrap, List.of(TOPIC, ACKS, GEOGRAPHY));
    long t0 = System.currentTimeMillis() - rounds * EVERY_MS;
    return JobBench.produce(
        bootstrap, TOPIC, out -> EmergencyFleet.report(devices, rounds, t0, EVERY_MS, 2_000, out));
  }

  private static CpuWindow loop(String bootstrap, long n, String label) throws Exception {
    long[] signals = new long[1];
    Runnable body =
        () -> {
          GeoLocator locator = new GeoLocator(SEED);
          // Outside the figure in the job too: once per task, before the first record.
          locator.open();
          try (KafkaConsumer<byte[], byte[]> consumer =
              JobBench.consumerFromStart(bootstrap, TOPIC)) {
            long seen = 0;
            CpuWindow.start();
            while (seen < n) {
              for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                seen++;
                try {
                  Envelope e =
                      Envelopes.decode(new KafkaEvent(r.topic(), null, r.value(), r.timestamp()));
                  Place place = locator.locate(e.lon(), e.lat()).orElseThrow();
                  if (TestSignals.from(e, place).isPresent()) {
                    signals[0]++;
                  }
                } catch (Rejected ex) {
                  throw new IllegalStateException(ex);
                }
              }
            }
          }
        };
    CpuWindow w = CpuWindow.around(body, "bench-body");
    System.out.printf(
        Locale.ROOT,
        "%-52s %6.2f s CPU, %6.1f s wall, %,d signals%n",
        label,
        w.cpuS,
        w.wallS,
        signals[0]);
    return w;
  }

  private static CpuWindow runJob(String bootstrap, long n, String label) throws Exception {
    JobSettings s = JobBench.settings(bootstrap, SEED);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    JobEnvironment.configure(env, s);
    long[] before = counts();
    new EmergencyJob(
            JobBench.bounded(bootstrap, TOPIC),
            JobBench.bounded(bootstrap, ACKS),
            JobBench.bounded(bootstrap, GEOGRAPHY),
            new Counting<Alert>("alerts", a -> a.toJson().length),
            new Counting<DeadLetter>("deadletters", d -> d.toJson().length),
            new Counting<EmergencyArea>(
                "areas", a -> EmergencyJob.toPoint(a).toLineProtocol().length()),
            new Counting<CommunityTickets>(
                "tickets", t -> EmergencyJob.toPoint(t).toLineProtocol().length()),
            new GeoLocator(SEED),
            EmergencySettings.fromArgs(
                new String[] {"--" + EmergencySettings.QUIET_TO_RESOLVE, "86400"}))
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
        "%-52s %6.2f s CPU in task threads, %6.1f s wall, %,d alerts%n",
        label,
        w.taskCpuS,
        w.wallS,
        counts()[0] - before[0]);
    long[] after = counts();
    for (int i = 0; i < after.length; i++) {
      lastRun[i] = after[i] - before[i];
    }
    JobBench.printBusyThreads(w);
    return w;
  }

  /** Alerts, emergency_area rows, community_tickets rows and dead letters of the job's last run. */
  private static final long[] lastRun = new long[4];

  private static long[] counts() {
    return new long[] {count("alerts"), count("areas"), count("tickets"), count("deadletters")};
  }
}
