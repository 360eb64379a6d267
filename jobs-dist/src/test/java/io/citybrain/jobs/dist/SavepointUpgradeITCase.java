package io.citybrain.jobs.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade path of docs/operations.md on a MiniCluster and a real (embedded) Kafka: the traffic
 * job, planned by the jar's entry point, reads, is stopped with a savepoint, and the next build
 * (here: other settings and a new parallelism) starts from that savepoint with {@code
 * allowNonRestoredState} off, so every piece of state must find its operator by uid. It then goes
 * on where it stopped: nothing read twice, nothing skipped. A savepoint given to a job whose uids
 * do not match is refused.
 */
class SavepointUpgradeITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @TempDir static Path dir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    assumeTrue(
        CityJobsJarITCase.onClassPath("io.citybrain.jobs.traffic.TrafficJob"),
        "runs in failsafe's 'state' execution, where the job classes are on the class path");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    Wire.createTopics();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private String[] args(String job, String parallelism, String checkpointSeconds) {
    // The store is never reached: unreadable readings only make dead letters.
    return new String[] {
      "--job",
      job,
      "--kafka.bootstrap-servers",
      kafka.bootstrapServers(),
      "--influx.url",
      "http://127.0.0.1:9",
      "--influx.token",
      "unused",
      "--parallelism",
      parallelism,
      "--checkpoint.interval",
      checkpointSeconds
    };
  }

  private static StreamGraph plan(String[] args) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    CityJobs.plan(env, args, Map.of());
    return env.getStreamGraph();
  }

  private static JobClient start(StreamGraph graph, String savepoint) throws Exception {
    if (savepoint != null) {
      graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    }
    JobClient job = StreamExecutionEnvironment.getExecutionEnvironment().executeAsync(graph);
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> job.getJobStatus().get() == JobStatus.RUNNING);
    return job;
  }

  @Test
  void theNextBuildStartsFromTheSavepointAndGoesOnWhereTheFirstStopped() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    JobClient first = start(plan(args("traffic", "1", "1")), null);
    Wire.publish(run + "-a", 10);
    await().atMost(Duration.ofMinutes(2)).until(() -> Wire.deadLetters(run) == 10);

    String savepoint = stopWithSavepoint(first, "savepoints");
    assertThat(savepoint).isNotBlank();

    Wire.publish(run + "-b", 5); // while no job runs
    JobClient next = start(plan(args("traffic", "2", "2")), savepoint);
    Wire.publish(run + "-c", 5);
    await().atMost(Duration.ofMinutes(2)).until(() -> Wire.deadLetters(run) >= 20);
    // Let a stray re-read show itself before counting.
    Thread.sleep(3_000);
    assertThat(Wire.deadLetters(run))
        .as("the 10 read before the savepoint are not read again")
        .isEqualTo(20);
    assertThat(next.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    next.cancel().get(1, TimeUnit.MINUTES);
  }

  @Test
  void aSavepointOfOneJobIsRefusedByAnotherWhoseUidsDoNotMatch() throws Exception {
    JobClient traffic = start(plan(args("traffic", "1", "1")), null);
    String savepoint = stopWithSavepoint(traffic, "savepoints-2");

    StreamGraph utility = plan(args("utility", "1", "1"));
    utility.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    assertThatThrownBy(
            () -> {
              JobClient job =
                  StreamExecutionEnvironment.getExecutionEnvironment().executeAsync(utility);
              job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            })
        .satisfies(
            e ->
                assertThat(ExceptionUtils.stringifyException(e))
                    .contains("Cannot map checkpoint/savepoint state"));
  }

  /**
   * A job is RUNNING before all its tasks are (map matching builds the city's road index when it
   * opens), and a savepoint needs all of them: retry until one is taken.
   */
  private static String stopWithSavepoint(JobClient job, String into) {
    String target = dir.resolve(into).toUri().toString();
    return await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () ->
                job.stopWithSavepoint(false, target, SavepointFormatType.CANONICAL)
                    .get(1, TimeUnit.MINUTES),
            p -> p != null);
  }

  /**
   * The Kafka clients' side of the test, in a class of its own: failsafe's other execution in this
   * pom discovers this class without kafka-clients on its class path, and a lambda typed with a
   * Kafka class in this class's own methods would make that discovery fail.
   */
  static final class Wire {
    static void createTopics() throws Exception {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin
            .createTopics(Topics.ALL.stream().map(t -> new NewTopic(t, 2, (short) 1)).toList())
            .all()
            .get(1, TimeUnit.MINUTES);
      }
    }

    static void publish(String prefix, int n) throws Exception {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < n; i++) {
          String id = prefix + "-" + i;
          producer
              .send(
                  new ProducerRecord<>(
                      Topics.RAW_TRAFFIC,
                      id.getBytes(StandardCharsets.UTF_8),
                      ("not json " + id).getBytes(StandardCharsets.UTF_8)))
              .get();
        }
      }
    }

    /** Dead letters of this run in city.deadletter, counted from the start of the topic. */
    static long deadLetters(String run) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "count-" + UUID.randomUUID());
      long count = 0;
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        c.subscribe(List.of(Topics.DEADLETTER));
        long quietUntil = System.currentTimeMillis() + 2_000;
        while (System.currentTimeMillis() < quietUntil) {
          for (var r : c.poll(Duration.ofMillis(200))) {
            if (new String(r.value(), StandardCharsets.UTF_8).contains(run)) {
              count++;
            }
            quietUntil = System.currentTimeMillis() + 1_000;
          }
        }
      }
      return count;
    }
  }
}
