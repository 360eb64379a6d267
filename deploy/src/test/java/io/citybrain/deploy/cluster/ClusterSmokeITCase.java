package io.citybrain.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.geo.CityModel;
import io.citybrain.simulators.Chaos;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Publisher;
import io.citybrain.simulators.Scenario;
import io.citybrain.simulators.Simulation;
import io.citybrain.simulators.Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-process cluster end to end: every part its own process, the traffic job submitted as
 * the production jar over REST, simulated devices publishing to mosquitto; rows must reach the
 * store through both bridges, the three brokers and the two TaskManagers; an alert in Kafka must
 * reach its community's MQTT topic through the dispatcher process.
 */
class ClusterSmokeITCase {

  static final Path FLINK_CLASSPATH = Path.of("target/flink-classpath.txt");
  static final Path JOB_JAR = Path.of("../jobs-dist/target/citybrain-jobs.jar");
  static final int DEVICES = 300;

  @TempDir static Path dir;
  static ClusterCity cluster;

  @BeforeAll
  static void start() {
    ClusterCity.Options o = ClusterCity.Options.ephemeral(dir, FLINK_CLASSPATH, JOB_JAR);
    cluster = ClusterCity.start(new ClusterCity.Options(o.dataDir(), o.flinkClasspath(), o.jobJar(), o.seed(), true, 0, 0, 0,
        DEVICES, Map.of("watermark.idleness", "5")), step -> System.out.println("cluster: " + step));
    cluster.endpoints().forEach(System.out::println);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
      assertThat(cluster.processes()).noneMatch(ChildProcess::alive);
    }
  }

  @Test
  void simulatedProbesBecomeRowsThroughEveryProcess() throws Exception {
    assertThat(cluster.processes()).hasSize(1 + ClusterCity.BROKERS + 1 + 1 + ClusterCity.TASK_MANAGERS + ClusterCity.BRIDGES
        + 1)
        .allMatch(ChildProcess::alive);
    JobID traffic = cluster.submit("traffic", Map.of());
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .until(() -> "RUNNING".equals(cluster.jobState(traffic)));

    // Eight simulated minutes ending a minute ago, played fast: their windows close at once.
    Instant start = Instant.now().minus(9, ChronoUnit.MINUTES);
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(42), DEVICES, 42);
    Simulation sim = new Simulation(fleet, new Simulation.Settings(42, Scenario.NORMAL_DAY, 1000, Duration.ofMinutes(8),
        start, Chaos.NONE));
    Stats stats = new Stats();
    try (Publisher p = new Publisher(new Publisher.Target(cluster.mqttUrl(), "smoke-sim", null, null, 1), 0, null, stats)) {
      sim.run(p, stats, () -> false, line -> { });
    }
    assertThat(stats.sent()).isPositive();
    assertThat(stats.failed()).isZero();

    // The store holds rows for citybrain's own processes only: without its credentials, nothing.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedQuestDb.query(cluster.storeUrl(), "SELECT count() FROM traffic_segment"))
        .hasMessageContaining("it requires credentials");
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(((Number) cluster.storeQuery("SELECT count() n FROM traffic_segment")
            .get(0).get("n")).longValue()).isPositive());
    // Both bridges took a share of the subscription: each one's own scrape counts stored traffic
    // readings (issue 21), and each is ready.
    for (ChildProcess bridge : cluster.bridges()) {
      String ops = "http://127.0.0.1:" + cluster.opsPorts().get(bridge.name());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(get(ops + "/metrics")).as(bridge.name())
            .containsPattern("citybrain_bridge_messages_total\\{domain=\"traffic\",outcome=\"stored\",reason=\"none\"} [1-9]");
        assertThat(get(ops + "/health/ready")).as(bridge.name()).contains("\"status\":\"UP\"");
      });
    }
  }

  private static String get(String url) throws Exception {
    var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  @Test
  void theDispatcherProcessDeliversAnAlertToItsCommunitysTopic() throws Exception {
    List<String> atCommunity = new CopyOnWriteArrayList<>();
    MqttClient manager = new MqttClient(cluster.mqttUrl(), "smoke-manager", new MemoryPersistence());
    manager.connect();
    try {
      manager.subscribe("city/alerts/community/c-smoke", 1,
          (t, m) -> atCommunity.add(Alert.fromJson(m.getPayload()).alertId()));
      Alert alert = new Alert("smoke-1", "sos", Alert.SEVERITY_CRITICAL, Alert.STATE_RAISED, "330106", "c-smoke",
          30.2445, 120.1445, System.currentTimeMillis(), "SOS call", null, null, null);
      try (KafkaProducer<String, byte[]> producer =
               new KafkaProducer<>(KafkaClients.reliableProducer(cluster.kafkaBootstrap(), "smoke-alerts"))) {
        producer.send(new ProducerRecord<>(Topics.ALERTS, alert.community(), alert.toJson())).get(60, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> atCommunity.contains("smoke-1"));
      String ops = "http://127.0.0.1:" + cluster.opsPorts().get("dispatch");
      assertThat(get(ops + "/health/ready")).startsWith("200 ").contains("\"status\":\"UP\"");
      assertThat(get(ops + "/metrics")).containsPattern("citybrain_dispatch_alerts_total\\{outcome=\"published\",reason=\"none\"} [1-9]");
    } finally {
      manager.disconnect();
      manager.close();
    }
  }
}
