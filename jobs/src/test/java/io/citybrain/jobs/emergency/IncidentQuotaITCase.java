package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Community;
import io.citybrain.jobs.common.GeographyUpdates;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.TestJobs;
import io.citybrain.jobs.traffic.Collected;
import io.citybrain.testkit.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Point;

/**
 * Issue 23 through Kafka and a Flink MiniCluster: a hotline that invents ticket ids and a smoke
 * detector that invents buildings get their first incidents up to the cap, the rest as dead letters
 * {@code too-many-incidents} carrying the reading as sent, and another device's SOS still raises
 * its alert.
 */
class IncidentQuotaITCase {

  private static final long SEED = 42;

  @Test
  void inventedTicketsAndBuildingsBeyondTheCapAreDeadLettersAndOthersStillAlert(@TempDir Path dir)
      throws Exception {
    CityModel city = CityModel.generate(SEED);
    Community c = city.communities().get(0);
    Point in = c.boundary().getInteriorPoint();
    long now = System.currentTimeMillis();
    EmergencySettings d = EmergencySettings.defaults();
    EmergencySettings capped =
        new EmergencySettings(
            d.escalateAfter(),
            d.renotifyEvery(),
            d.fireWindow(),
            d.quietToResolve(),
            d.floodWarningCm(),
            d.floodCriticalCm(),
            d.ticketDeadlines(),
            d.areaInterval(),
            d.cooldown(),
            3,
            2);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of())) {
      String bootstrap = kafka.bootstrapServers();
      ContractTopics.create(bootstrap, t -> 1, (short) 1);
      // Flink's Prometheus reporter, as the FlinkDeployments configure it (on a free port here).
      int metricsPort = io.citybrain.embedded.FreePorts.resolve(0);
      Configuration conf = new Configuration();
      conf.setString(
          "metrics.reporter.prom.factory.class",
          "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      conf.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
      JobSettings s =
          TestJobs.settings(bootstrap)
              .checkpointInterval(Duration.ofMinutes(30))
              .idleness(Duration.ofSeconds(30))
              .allowedLateness(Duration.ofSeconds(0))
              .citySeed(SEED)
              .build();
      JobEnvironment.configure(env, s);
      new EmergencyJob(
              KafkaIo.source(bootstrap, "it-quota", Topics.RAW_EMERGENCY, Topics.RAW_COMMUNITY),
              KafkaIo.source(bootstrap, "it-quota-acks", Topics.ACKS),
              GeographyUpdates.source(bootstrap, "it-quota-geography"),
              Collected.<Alert>into("quota-alerts"),
              Collected.<DeadLetter>into("quota-deadletters"),
              Collected.<EmergencyArea>into("quota-areas"),
              Collected.<CommunityTickets>into("quota-tickets"),
              new GeoLocator(SEED),
              capped)
          .build(env);
      JobClient job = env.executeAsync("incident-quota-it");
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        for (int i = 1; i <= 5; i++) {
          send(
              producer,
              Topics.RAW_COMMUNITY,
              new Envelope(
                  "hotline-x",
                  "community",
                  "ticket",
                  now,
                  in.getY(),
                  in.getX(),
                  Map.of("ticketId", "T-" + i, "category", "water", "status", "opened"),
                  now,
                  "mqtt"));
          send(
              producer,
              Topics.RAW_EMERGENCY,
              new Envelope(
                  "sd-x",
                  "emergency",
                  "smoke",
                  now,
                  in.getY(),
                  in.getX(),
                  Map.of("alarm", true, "buildingId", "b-" + i),
                  now,
                  "mqtt"));
        }
        send(
            producer,
            Topics.RAW_EMERGENCY,
            new Envelope(
                "sos-ok",
                "emergency",
                "sos",
                now,
                in.getY(),
                in.getX(),
                Map.of("pressed", true),
                now,
                "mqtt"));
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(Collected.<Alert>list("quota-alerts"))
                    .anySatisfy(a -> assertThat(a.alertId()).contains("sos-ok"));
                assertThat(Collected.<DeadLetter>list("quota-deadletters")).hasSize(2 + 3);
              });
      List<DeadLetter> refused = Collected.list("quota-deadletters");
      assertThat(refused)
          .allSatisfy(
              x -> {
                assertThat(x.reason()).isEqualTo("too-many-incidents");
                assertThat(x.stage()).isEqualTo("emergency");
              });
      // Each names its record's place in Kafka, where the record is read back whole.
      assertThat(refused)
          .filteredOn(x -> x.topic().equals(Topics.RAW_COMMUNITY))
          .extracting(x -> readAt(bootstrap, x))
          .satisfiesExactlyInAnyOrder(
              p -> assertThat(p).contains("\"T-4\""), p -> assertThat(p).contains("\"T-5\""));
      assertThat(refused)
          .filteredOn(x -> x.topic().equals(Topics.RAW_EMERGENCY))
          .extracting(DeadLetter::detail)
          .satisfiesExactlyInAnyOrder(
              t -> assertThat(t).contains("b-3"),
              t -> assertThat(t).contains("b-4"),
              t -> assertThat(t).contains("b-5"));
      // The first two buildings are fires in the making (one alarm each: unconfirmed, a warning).
      assertThat(Collected.<Alert>list("quota-alerts"))
          .extracting(Alert::alertId)
          .filteredOn(id -> id.startsWith("fire-"))
          .hasSize(2)
          .allSatisfy(id -> assertThat(id).matches("fire-\\d+-b-[12]"));
      // The job's operators as a Prometheus scrape sees them (issue 21): the cap's operator by
      // name.
      String scrape =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(scrape)
          .containsPattern(
              "flink_taskmanager_job_task_operator_numRecordsIn\\{[^}]*operator_name=\"incidents.per.device.capped\"");
      // Every Flink metric the alerting rules and the operations dashboard name is one this
      // reporter exports.
      java.util.Set<String> exported = new java.util.TreeSet<>();
      scrape
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
      String rules =
          java.nio.file.Files.readString(
                  java.nio.file.Path.of("..", "deploy", "prometheus", "citybrain-alerts.yaml"))
              + java.nio.file.Files.readString(
                  java.nio.file.Path.of(
                      "..", "deploy", "grafana", "dashboards-prometheus", "operations.json"));
      java.util.regex.Matcher named =
          java.util.regex.Pattern.compile("\\bflink_[A-Za-z0-9_]+").matcher(rules);
      while (named.find()) {
        String name = named.group();
        if (name.equals("flink_taskmanager_job_task_operator_pointsRefused")) {
          // The store sink's own counter (InfluxSink), absent from a job without that sink: its
          // name follows every operator counter's, as the emergency job's own one shows.
          assertThat(exported)
              .contains("flink_taskmanager_job_task_operator_geographyLayersApplied");
        } else {
          assertThat(exported)
              .as("%s, named in citybrain-alerts.yaml or operations.json", name)
              .contains(name);
        }
      }
      job.cancel().get();
    }
  }

  /** The record a dead letter names by its topic, partition and offset. */
  private static String readAt(String bootstrap, DeadLetter letter) {
    assertThat(letter.rawPayload()).as("no bytes carried").isEmpty();
    ConsumerRecord<String, byte[]> r =
        KafkaRecords.at(bootstrap, letter.topic(), letter.partition(), letter.offset());
    assertThat(r.key()).isEqualTo(letter.key());
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Envelope e)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic, e.deviceId().getBytes(StandardCharsets.UTF_8), EnvelopeCodec.encode(e)))
        .get();
  }
}
