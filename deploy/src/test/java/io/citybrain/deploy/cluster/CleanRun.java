package io.citybrain.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaEventDeserializer;
import io.citybrain.jobs.traffic.DistrictTraffic;
import io.citybrain.jobs.traffic.GeoSegmentMatcher;
import io.citybrain.jobs.traffic.SegmentTraffic;
import io.citybrain.jobs.traffic.TrafficJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The clean run the chaos test compares with: the messages the simulator published, each once and
 * in the order it published them, turned into raw records by the bridge's own validation, through
 * the same traffic job (same settings, same city) on a Flink MiniCluster in this JVM, into a store
 * of its own. Nothing is killed; the input is bounded, so every window closes at its end.
 */
final class CleanRun implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final EmbeddedKafka kafka;
  private final EmbeddedQuestDb store;

  private final Path checkpoints;

  private CleanRun(EmbeddedKafka kafka, EmbeddedQuestDb store, Path checkpoints) {
    this.kafka = kafka;
    this.store = store;
    this.checkpoints = checkpoints;
  }

  static CleanRun start(Path dir) throws IOException {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("clean-kafka"), 0, Map.of());
    try {
      return new CleanRun(
          kafka,
          EmbeddedQuestDb.start(dir.resolve("clean-store"), 0),
          dir.resolve("clean-checkpoints"));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  /**
   * Produces the recorded messages as the bridge would have; returns how many became raw traffic
   * records (the others are dead letters in both runs and never reach the job).
   */
  long feed(Path recording, IngestValidator validator)
      throws IOException, InterruptedException, ExecutionException {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(Topics.RAW_TRAFFIC, 2, (short) 1))).all().get();
    }
    Properties p = KafkaClients.reliableProducer(kafka.bootstrapServers(), "clean-run");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "50");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
    long records = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
        BufferedReader r = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = JSON.readTree(line);
        byte[] payload = Base64.getDecoder().decode(n.path("payloadB64").asText());
        IngestResult result =
            validator.validate(n.path("topic").asText(), payload, System.currentTimeMillis());
        if (result instanceof IngestResult.Reading reading
            && Topics.raw(reading.envelope().domain()).equals(Topics.RAW_TRAFFIC)) {
          producer.send(
              new ProducerRecord<>(
                  Topics.RAW_TRAFFIC,
                  null,
                  reading.envelope().ts(),
                  reading.envelope().deviceId(),
                  EnvelopeCodec.encode(reading.envelope())));
          records++;
        }
      }
      producer.flush();
    }
    return records;
  }

  /**
   * Runs the traffic job over everything fed, to its end, with the chaos run's {@code --key value}
   * settings.
   */
  void runTraffic(Map<String, String> settings, long citySeed) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "--influx.url",
                store.url(),
                "--influx.token",
                "local",
                "--parallelism",
                "2",
                "--city.seed",
                String.valueOf(citySeed)));
    settings.forEach(
        (k, v) -> {
          args.add("--" + k);
          args.add(v);
        });
    JobSettings s = JobSettings.fromArgs(args.toArray(String[]::new));
    KafkaSource<KafkaEvent> bounded =
        KafkaSource.<KafkaEvent>builder()
            .setBootstrapServers(s.kafkaBootstrap())
            .setTopics(Topics.RAW_TRAFFIC)
            .setGroupId("clean-run")
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.latest())
            .setDeserializer(new KafkaEventDeserializer())
            .build();
    // Checkpoints as in the cluster, to files: the job's state (an hour of event time held back) is
    // far above what the JobManager's memory storage takes.
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    JobEnvironment.configure(env, s);
    new TrafficJob(
            bounded,
            InfluxSink.<SegmentTraffic>builder()
                .settings(s.influx())
                .converter(TrafficJob::toPoint)
                .build(),
            InfluxSink.<DistrictTraffic>builder()
                .settings(s.influx())
                .converter(TrafficJob::toPoint)
                .build(),
            new DiscardingSink<>(),
            new DiscardingSink<>(),
            new GeoSegmentMatcher(citySeed),
            s)
        .build(env);
    env.execute("clean run");
  }

  String storeUrl() {
    return store.url();
  }

  java.util.List<java.util.Map<String, Object>> query(String sql) {
    return store.query(sql);
  }

  @Override
  public void close() {
    store.close();
    kafka.close();
  }
}
