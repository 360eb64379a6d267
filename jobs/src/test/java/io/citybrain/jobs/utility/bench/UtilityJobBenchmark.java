package io.citybrain.jobs.utility.bench;

import com.sun.management.OperatingSystemMXBean;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.TestJobs;
import io.citybrain.jobs.utility.GeoZoneLocator;
import io.citybrain.jobs.utility.MeterFleet;
import io.citybrain.jobs.utility.MeterState;
import io.citybrain.jobs.utility.UtilityJob;
import io.citybrain.jobs.utility.UtilitySettings;
import io.citybrain.jobs.utility.ZonePlace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Throughput of the utility job at 100,000 meters, and its state per meter. Not part of the test
 * suite; run by hand (see docs/benchmarks.md).
 *
 * <p>Events are pre-encoded envelopes (the bytes the Kafka source would hand over) held in memory;
 * a number-sequence source indexes them, so the figure is the job's own cost (decode, place, zone
 * windows and rules) without Kafka, into discarding sinks. The baseline, measured in the same run,
 * is the same source into decode-and-place only. Events per CPU-second is process CPU time divided
 * into events: the per-core figure, whatever the number of threads.
 */
public final class UtilityJobBenchmark {

  static byte[][] payloads;
  static long[] times;
  private static final Instant START = Instant.parse("2026-01-05T08:00:00Z");

  /** The city model whose zones the meters are placed in (the local city's). */
  private static final long SEED = 42L;

  public static void main(String[] args) throws Exception {
    int meters = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    encode(meters, rounds);
    long events = (long) meters * rounds;
    System.out.printf(
        Locale.ROOT,
        "%d meters x %d one-minute rounds = %d events, %d zones%n",
        meters,
        rounds,
        events,
        zones);
    run("warm-up (full job)", true, null);
    Result baseline = run("baseline: decode and place only", false, null);
    Result full = run("utility job", true, null);
    System.out.printf(
        Locale.ROOT,
        "baseline   %,10.0f events/s wall, %,10.0f events per CPU-second%n",
        baseline.perSecond,
        baseline.perCpuSecond);
    System.out.printf(
        Locale.ROOT,
        "full job   %,10.0f events/s wall, %,10.0f events per CPU-second%n",
        full.perSecond,
        full.perCpuSecond);
    stateEstimate();
    checkpointedState(meters);
  }

  /**
   * The whole state as the job checkpoints it: a last run (not timed) with the heap state backend
   * checkpointing to a temporary directory every two seconds; the largest checkpoint seen on disk,
   * divided by the meters. It includes everything zone-level (windows, hours, baselines) and the
   * small source and sink states, so it is the figure to size a deployment by.
   */
  private static void checkpointedState(int meters) throws Exception {
    Path dir = Files.createTempDirectory("utility-bench-checkpoints");
    AtomicLong largest = new AtomicLong();
    Thread watcher =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                largest.accumulateAndGet(largestCheckpoint(dir), Math::max);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "checkpoint-watcher");
    watcher.setDaemon(true);
    watcher.start();
    run("state: heap backend, checkpoints to disk", true, dir);
    watcher.interrupt();
    watcher.join();
    largest.accumulateAndGet(largestCheckpoint(dir), Math::max);
    System.out.printf(
        Locale.ROOT,
        "largest checkpoint on disk: %,d B = %.1f B per meter (all keyed state of %d zones, "
            + "sources and sinks included)%n",
        largest.get(),
        largest.get() / (double) meters,
        zones);
  }

  /** The size of the largest completed or in-progress {@code chk-*} directory under {@code dir}. */
  private static long largestCheckpoint(Path dir) {
    long max = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      Map<Path, Long> perCheckpoint = new HashMap<>();
      files
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                for (Path p = f.getParent(); p != null && p.startsWith(dir); p = p.getParent()) {
                  if (p.getFileName().toString().startsWith("chk-")) {
                    perCheckpoint.merge(p, f.toFile().length(), Long::sum);
                    break;
                  }
                }
              });
      for (long v : perCheckpoint.values()) {
        max = Math.max(max, v);
      }
    } catch (IOException | UncheckedIOException e) {
      // A checkpoint subsumed while being walked: the next scan sees the one that replaced it.
    }
    return max;
  }

  private static int zones;

  /** {@link MeterFleet}'s readings, encoded before the run; the zones its meters lie in. */
  private static void encode(int meters, int rounds) {
    GeoZoneLocator locator = new GeoZoneLocator(SEED);
    locator.open();
    Set<String> zoneIds = new HashSet<>();
    payloads = new byte[meters * rounds][];
    times = new long[meters * rounds];
    int[] n = {0};
    MeterFleet.read(
        meters,
        rounds,
        START.toEpochMilli(),
        e -> {
          if (n[0] < meters) {
            zoneIds.add(
                locator.locate(e.lon(), e.lat(), e.kind()).map(ZonePlace::zone).orElse("none"));
          }
          payloads[n[0]] = EnvelopeCodec.encode(e);
          times[n[0]] = e.ts();
          n[0]++;
        });
    zones = zoneIds.size();
  }

  record Result(double perSecond, double perCpuSecond) {}

  private static Result run(String label, boolean full, Path checkpoints) throws Exception {
    Configuration conf = new Configuration();
    if (checkpoints != null) {
      conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    JobSettings s =
        TestJobs.settings("unused:9092")
            .checkpointInterval(checkpoints == null ? Duration.ofHours(1) : Duration.ofSeconds(2))
            .citySeed(SEED)
            .build();
    // Checkpoints are not part of the figure (the interval is longer than a run).
    JobEnvironment.configure(env, s);
    DataStream<KafkaEvent> raw =
        env.fromSource(
                new NumberSequenceSource(0, payloads.length - 1),
                WatermarkStrategy.noWatermarks(),
                "pre-encoded envelopes")
            .uid("bench-source")
            .map(
                i ->
                    new KafkaEvent(
                        "city.raw.utility", null, payloads[i.intValue()], times[i.intValue()]))
            .returns(TypeInformation.of(KafkaEvent.class))
            .name("index to record")
            .uid("bench-index")
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<KafkaEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                    .withTimestampAssigner((e, t) -> e.timestamp()))
            .name("watermarks")
            .uid("bench-watermarks");
    UtilityJob job =
        new UtilityJob(
            null,
            null,
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new GeoZoneLocator(SEED),
            s,
            UtilitySettings.defaults());
    if (full) {
      // No layer is replaced during a run: an empty update stream, as a job whose city.geography is
      // empty.
      DataStream<KafkaEvent> noUpdates =
          env.fromSource(
                  new NumberSequenceSource(0, 0), WatermarkStrategy.noWatermarks(), "no geography")
              .uid("bench-geography")
              .setParallelism(1)
              .filter(i -> false)
              .name("none")
              .uid("bench-no-geography")
              .setParallelism(1)
              .map(i -> new KafkaEvent("city.geography", "zones", new byte[0], 0L))
              .returns(TypeInformation.of(KafkaEvent.class))
              .name("as record")
              .uid("bench-geography-record")
              .setParallelism(1);
      job.wire(raw, noUpdates);
    } else {
      raw.map(e -> io.citybrain.jobs.utility.UtilityReadings.toReading(e, baselineLocator()).zone())
          .returns(Types.STRING)
          .name("decode and place")
          .uid("bench-decode")
          .sinkTo(new DiscardingSink<>())
          .name("discard")
          .uid("bench-discard");
    }
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    env.execute(label);
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    Result r = new Result(payloads.length / wall, payloads.length / cpu);
    System.out.printf(Locale.ROOT, "%-34s %6.1f s wall, %6.1f s CPU%n", label, wall, cpu);
    return r;
  }

  private static GeoZoneLocator shared;

  /** One locator per JVM for the baseline's lambda (the job's own operator opens one per task). */
  private static synchronized GeoZoneLocator baselineLocator() {
    if (shared == null) {
      shared = new GeoZoneLocator(SEED);
      shared.open();
    }
    return shared;
  }

  /**
   * A serializer-based estimate: the bytes of one meter's entry in its zone's map state as a
   * RocksDB backend stores it (key group 2 B + zone key + meter id as the user key; the
   * PojoSerializer's bytes of {@link MeterState} as the value). The zone's own state (windows,
   * baseline, incidents) is shared by its meters and not included.
   */
  private static void stateEstimate() throws Exception {
    TypeSerializer<MeterState> ser =
        TypeInformation.of(MeterState.class).createSerializer(new SerializerConfigImpl());
    MeterState m = new MeterState("m-12345", 30.2445, 120.1445);
    m.lastTs = START.toEpochMilli();
    m.rate = 1.5;
    m.level = 400;
    m.countedEnd = m.lastTs + 60_000;
    m.countedEndBefore = m.lastTs;
    DataOutputSerializer out = new DataOutputSerializer(256);
    ser.serialize(m, out);
    int value = out.length();
    out.clear();
    Types.STRING.createSerializer(new SerializerConfigImpl()).serialize("w-330106-01", out);
    int zoneKey = out.length();
    out.clear();
    Types.STRING.createSerializer(new SerializerConfigImpl()).serialize("m-12345", out);
    int userKey = out.length();
    int perMeter = 2 + zoneKey + userKey + value;
    System.out.printf(
        Locale.ROOT,
        "state per meter (serializer estimate, RocksDB layout): %d B (MeterState %d B, keys %d B), "
            + "plus the zone-level state of %d zones shared by their meters%n",
        perMeter,
        value,
        2 + zoneKey + userKey,
        zones);
  }
}
