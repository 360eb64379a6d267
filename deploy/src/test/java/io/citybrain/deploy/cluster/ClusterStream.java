package io.citybrain.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.contract.Topics;
import io.citybrain.simulators.Chaos;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Publisher;
import io.citybrain.simulators.Scenario;
import io.citybrain.simulators.Simulation;
import io.citybrain.simulators.Stats;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A deterministic simulated stream published to the cluster's broker (as fast as it takes it, or at
 * a cap), each message recorded, and the check that reads the events back from Kafka. An event is
 * identified by its device and its event time (the raw record's key and timestamp).
 */
final class ClusterStream {

  static final int DEVICES = 2000;
  static final long SEED = 42;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Readings per simulated second of the normal-day fleet, roughly: sizes the simulated span. */
  private static final double PER_SIM_SECOND = DEVICES / 40.0;

  final Instant start;
  final Duration simulated;
  final Stats stats = new Stats();
  final Path recording;
  private final CompletableFuture<Void> publishing;

  /**
   * {nanoTime, messages sent so far}, twice a second: places an event of the recording in wall
   * time.
   */
  private final List<long[]> sentAt = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final java.util.concurrent.ScheduledExecutorService sampler =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "chaos-stream-sampler");
            t.setDaemon(true);
            return t;
          });

  private ClusterStream(
      ClusterCity cluster, Path dir, long events, String clientId, double maxRate) {
    simulated = Duration.ofSeconds((long) (events / PER_SIM_SECOND));
    // Event times in the hours just past, so that every window closes once the stream has passed.
    start =
        Instant.now().minus(simulated).minus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES);
    recording = dir.resolve(clientId + ".jsonl");
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(SEED), DEVICES, SEED);
    Simulation sim =
        new Simulation(
            fleet,
            new Simulation.Settings(
                SEED, Scenario.NORMAL_DAY, 100_000, simulated, start, Chaos.NONE));
    sampler.scheduleAtFixedRate(
        () -> sentAt.add(new long[] {System.nanoTime(), stats.sent()}),
        0,
        500,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    publishing =
        CompletableFuture.runAsync(
            () -> {
              try (Publisher p =
                  new Publisher(
                      new Publisher.Target(cluster.mqttUrl(), clientId, null, null, 1),
                      maxRate,
                      recording,
                      stats)) {
                sim.run(p, stats, () -> false, line -> {});
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }

  /**
   * Starts publishing {@code events} events, at most {@code maxRate} messages per second (0: as
   * fast as the broker takes them).
   */
  static ClusterStream publish(
      ClusterCity cluster, Path dir, long events, String clientId, double maxRate) {
    return new ClusterStream(cluster, dir, events, clientId, maxRate);
  }

  /** Waits until every message was published and acknowledged by the broker. */
  void awaitPublished() {
    try {
      publishing.join();
    } finally {
      sampler.shutdown();
    }
  }

  /**
   * Where {@code missing} events sit in the stream: their first and last line in the recording and
   * when, counted from {@code since} (a nanoTime), they were published, so that a loss can be laid
   * beside the outages' times.
   */
  String whenPublished(Set<String> missing, long since) throws IOException {
    long first = -1;
    long last = -1;
    long line = 0;
    try (BufferedReader r = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
      for (String l; (l = r.readLine()) != null; line++) {
        JsonNode n = JSON.readTree(l);
        String topic = n.path("topic").asText();
        if (missing.contains(
            topic.substring(topic.lastIndexOf('/') + 1) + "@" + n.path("t").asLong())) {
          first = first < 0 ? line : first;
          last = line;
        }
      }
    }
    return first < 0
        ? "none"
        : String.format(
            java.util.Locale.ROOT,
            "lines %,d to %,d of %,d, published %s s to %s s into the stream",
            first,
            last,
            line,
            secondsAt(first, since),
            secondsAt(last, since));
  }

  private String secondsAt(long sent, long since) {
    for (long[] s : sentAt) {
      if (s[1] > sent) {
        return String.format(java.util.Locale.ROOT, "%.1f", (s[0] - since) / 1e9);
      }
    }
    return "?";
  }

  /** The distinct events published. */
  Set<String> published() throws IOException {
    Set<String> ids = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = JSON.readTree(line);
        String topic = n.path("topic").asText();
        ids.add(topic.substring(topic.lastIndexOf('/') + 1) + "@" + n.path("t").asLong());
      }
    }
    return ids;
  }

  /**
   * What the raw topics and the dead letters hold: distinct events, all records, dead letters by
   * reason.
   */
  record ReadBack(Set<String> found, long records, Map<String, Long> deadLetters) {}

  /**
   * Reads the raw topics and the dead letters until every expected event is found or the time is
   * up.
   */
  static ReadBack readBack(String bootstrap, Set<String> expected, Duration timeout)
      throws IOException {
    Set<String> found = new HashSet<>();
    Map<String, Long> deadLetters = new TreeMap<>();
    long records = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "stream-check-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<String> topics =
          new ArrayList<>(
              Topics.ALL.stream().filter(t -> t.startsWith(Topics.RAW_PREFIX)).toList());
      topics.add(Topics.DEADLETTER);
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!found.containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofSeconds(1))) {
          records++;
          if (rec.topic().equals(Topics.DEADLETTER)) {
            JsonNode dl = JSON.readTree(rec.value());
            String id = deadLetterId(dl);
            // by reason and the minute of event time, to show which outage a dead letter comes from
            deadLetters.merge(dl.path("reason").asText() + " " + minuteOf(id), 1L, Long::sum);
            found.add(id);
          } else {
            found.add(rec.key() + "@" + rec.timestamp());
          }
        }
      }
    }
    return new ReadBack(found, records, deadLetters);
  }

  private static String minuteOf(String id) {
    long ts = Long.parseLong(id.substring(id.lastIndexOf('@') + 1));
    return ts < 0
        ? "?"
        : Instant.ofEpochMilli(ts).truncatedTo(ChronoUnit.MINUTES).toString().substring(11, 16);
  }

  /**
   * The dead letter's device and the event time inside its raw bytes (-1 when they are no JSON).
   */
  private static String deadLetterId(JsonNode dl) {
    long ts = -1;
    try {
      ts =
          JSON.readTree(Base64.getDecoder().decode(dl.path("payload").asText()))
              .path("ts")
              .asLong(-1);
    } catch (IOException | RuntimeException notJson) {
      // a malformed device message: only its key identifies it
    }
    return dl.path("key").asText() + "@" + ts;
  }
}
