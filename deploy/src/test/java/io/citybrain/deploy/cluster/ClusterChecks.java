package io.citybrain.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * What the multi-process cluster must show an operator and refuse a stranger, checked on a running
 * {@link ClusterCity} that has carried traffic (the chaos test runs them after its stream, so the
 * suite starts one cluster, not two): each bridge's scrape counts its share of the readings and is
 * ready, the bridges write {@code pipeline}, dispatch delivers an alert and counts it, the store
 * refuses SQL without its credentials, the Flink REST port takes no jar.
 */
final class ClusterChecks {

  static final Path FLINK_CLASSPATH = Path.of("target/flink-classpath.txt");
  static final Path JOB_JAR = Path.of("../jobs-dist/target/citybrain-jobs.jar");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ClusterChecks() {}

  /** A SQL query on the cluster's store, with its credentials. */
  static List<Map<String, Object>> storeQuery(ClusterCity cluster, String sql) {
    return EmbeddedQuestDb.query(cluster.storeUrl(), cluster.storeAuthorization(), sql);
  }

  /** The state of a submitted job as the JobManager reports it (RUNNING, RESTARTING, ...). */
  static String jobState(ClusterCity cluster, org.apache.flink.api.common.JobID id) {
    return cluster.flinkRest("/jobs/" + id).path("state").asText();
  }

  static void all(ClusterCity cluster) throws Exception {
    bridgesCountTheirShareAndAreReady(cluster);
    bridgesWritePipeline(cluster);
    dispatchDeliversAnAlertAndCountsIt(cluster);
    consoleShowsTheCityAndAcknowledges(cluster);
    flinkProcessesServeTheirMetrics(cluster);
    storeRefusesWithoutCredentials(cluster);
    flinkRestTakesNoJar(cluster);
    alertingRulesNameOnlyExportedMetrics(cluster);
  }

  /**
   * Every bridge, dispatch and Kafka-client metric that deploy/prometheus's alerting rules and the
   * operations dashboard (deploy/grafana/dashboards-prometheus) name is one that a bridge's or
   * dispatch's scrape has (Flink's names: IncidentQuotaITCase).
   */
  static void alertingRulesNameOnlyExportedMetrics(ClusterCity cluster) throws Exception {
    java.util.Set<String> exported = new java.util.TreeSet<>();
    for (String process : List.of(cluster.bridges().get(0).name(), "dispatch")) {
      get("http://127.0.0.1:" + cluster.opsPorts().get(process) + "/metrics")
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank() && !l.matches("^\\d{3} .*"))
          .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
    }
    String rules =
        java.nio.file.Files.readString(java.nio.file.Path.of("prometheus", "citybrain-alerts.yaml"))
            + java.nio.file.Files.readString(
                java.nio.file.Path.of("grafana", "dashboards-prometheus", "operations.json"));
    java.util.regex.Matcher named =
        java.util.regex.Pattern.compile("\\b(citybrain|kafka_consumer|kafka_producer)_[a-z0-9_]+")
            .matcher(rules);
    int checked = 0;
    while (named.find()) {
      assertThat(exported)
          .as("%s, named in citybrain-alerts.yaml or operations.json", named.group())
          .contains(named.group());
      checked++;
    }
    assertThat(checked).isGreaterThan(5);
  }

  /** Both bridges took a share of the shared subscription: each one's own scrape (issue 21). */
  static void bridgesCountTheirShareAndAreReady(ClusterCity cluster) {
    for (ChildProcess bridge : cluster.bridges()) {
      String ops = "http://127.0.0.1:" + cluster.opsPorts().get(bridge.name());
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(get(ops + "/metrics"))
                    .as(bridge.name())
                    .containsPattern(
                        "citybrain_bridge_messages_total\\{domain=\"traffic\",outcome=\"stored\",reason=\"none\"} [1-9]");
                assertThat(get(ops + "/health/ready"))
                    .as(bridge.name())
                    .startsWith("200 ")
                    .contains("\"status\":\"UP\"");
              });
    }
  }

  /**
   * The `pipeline` measurement the Grafana pipeline dashboard reads, from the bridge processes and
   * from each job the Flink cluster runs (issue 21): events in and rows out; the jobs with
   * watermarks report how far behind the clock they are.
   */
  static void bridgesWritePipeline(ClusterCity cluster) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        ((Number)
                                storeQuery(
                                        cluster,
                                        "SELECT sum(events_in) n FROM pipeline WHERE stage = 'bridge'")
                                    .get(0)
                                    .get("n"))
                            .longValue())
                    .isPositive());
    // The jobs this cluster runs (the chaos test: traffic only).
    assertThat(cluster.jobs()).isNotEmpty();
    for (String job : cluster.jobs().keySet()) {
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                Map<String, Object> row =
                    storeQuery(
                            cluster,
                            "SELECT sum(events_in) i, sum(events_out) o, max(lag_ms) lag FROM pipeline"
                                + " WHERE stage = '"
                                + job
                                + "'")
                        .get(0);
                assertThat(row.get("i"))
                    .as("%s job's events in", job)
                    .isInstanceOfSatisfying(
                        Number.class, n -> assertThat(n.longValue()).isPositive());
                assertThat(row.get("o"))
                    .as("%s job's rows and alerts out", job)
                    .isInstanceOfSatisfying(
                        Number.class, n -> assertThat(n.longValue()).isPositive());
                if (!job.equals("emergency")) {
                  assertThat(row.get("lag"))
                      .as("%s job's watermark lag", job)
                      .isInstanceOf(Number.class);
                }
              });
    }
  }

  static void dispatchDeliversAnAlertAndCountsIt(ClusterCity cluster) throws Exception {
    List<String> atCommunity = new CopyOnWriteArrayList<>();
    MqttClient manager =
        new MqttClient(cluster.mqttUrl(), "checks-manager", new MemoryPersistence());
    // Paho's blocking calls wait forever by default; a broker that never answers fails the check.
    manager.setTimeToWait(30_000);
    manager.connect();
    try {
      manager.subscribe(
          "city/alerts/community/c-checks",
          1,
          (t, m) -> atCommunity.add(Alert.fromJson(m.getPayload()).alertId()));
      Alert alert =
          new Alert(
              "checks-1",
              "sos",
              Alert.SEVERITY_CRITICAL,
              Alert.STATE_RAISED,
              "330106",
              "c-checks",
              30.2445,
              120.1445,
              System.currentTimeMillis(),
              "SOS call",
              null,
              null,
              null);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              KafkaClients.reliableProducer(cluster.kafkaBootstrap(), "checks-alerts"))) {
        producer
            .send(new ProducerRecord<>(Topics.ALERTS, alert.community(), alert.toJson()))
            .get(60, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> atCommunity.contains("checks-1"));
      String ops = "http://127.0.0.1:" + cluster.opsPorts().get("dispatch");
      assertThat(get(ops + "/health/ready")).startsWith("200 ").contains("\"status\":\"UP\"");
      assertThat(get(ops + "/metrics"))
          .containsPattern(
              "citybrain_dispatch_alerts_total\\{outcome=\"published\",reason=\"none\"} [1-9]");
      // The dispatcher process writes the pipeline measurement's dispatch stage (every 10 s).
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  storeQuery(
                                  cluster,
                                  "SELECT sum(events_out) n FROM pipeline WHERE stage = 'dispatch'")
                              .get(0)
                              .get("n")
                          instanceof Number n
                      && n.longValue() > 0);
    } finally {
      manager.disconnect();
      manager.close();
    }
  }

  /**
   * The console as its own process (issue 20): it shows the districts the jobs wrote and the alert
   * dispatch delivered (after dispatchDeliversAnAlertAndCountsIt), takes an acknowledgement with
   * this start's token and publishes it on the broker, refuses one without, and counts both on its
   * /metrics; ready on its /health (issue 21).
   */
  static void consoleShowsTheCityAndAcknowledges(ClusterCity cluster) throws Exception {
    URI console = cluster.consoleUrl();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              String live = get(console + "api/live");
              assertThat(live)
                  .startsWith("200 ")
                  .contains("\"alertId\":\"checks-1\"")
                  .contains("\"district\":\"");
            });
    List<String> acks = new CopyOnWriteArrayList<>();
    MqttClient jobsSide = new MqttClient(cluster.mqttUrl(), "checks-acks", new MemoryPersistence());
    jobsSide.setTimeToWait(30_000);
    jobsSide.connect();
    try {
      jobsSide.subscribe(
          "city/ack/checks-1",
          1,
          (t, m) -> acks.add(new String(m.getPayload(), java.nio.charset.StandardCharsets.UTF_8)));
      HttpRequest.Builder ack =
          HttpRequest.newBuilder(console.resolve("/api/alerts/checks-1/ack"))
              .header("Content-Type", "application/json")
              .header("Origin", "http://127.0.0.1:" + console.getPort())
              .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"checks operator\"}"));
      assertThat(HTTP.send(ack.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(403);
      HttpResponse<String> taken =
          HTTP.send(
              ack.header("X-Citybrain-Token", cluster.consoleToken()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> acks.stream().anyMatch(a -> a.contains("checks operator")));
    } finally {
      jobsSide.disconnect();
      jobsSide.close();
    }
    String ops = "http://127.0.0.1:" + cluster.opsPorts().get("console");
    assertThat(get(ops + "/health/ready")).startsWith("200 ").contains("\"status\":\"UP\"");
    assertThat(get(ops + "/metrics"))
        .contains("citybrain_console_acknowledgements_total{outcome=\"published\"} 1.0");
  }

  /**
   * With {@code --flink-metrics}, the JobManager and every TaskManager answer {@code /metrics}
   * through Flink's Prometheus reporter (issue 21): the cluster's state, and the traffic job's
   * operators with their own counters, under the names the FlinkDeployments' scrapes have.
   */
  static void flinkProcessesServeTheirMetrics(ClusterCity cluster) throws Exception {
    assertThat(cluster.flinkMetricsPorts())
        .containsKeys("flink-jobmanager", "flink-taskmanager-1", "flink-taskmanager-2");
    assertThat(
            get(
                "http://127.0.0.1:"
                    + cluster.flinkMetricsPorts().get("flink-jobmanager")
                    + "/metrics"))
        .startsWith("200 ")
        .contains("flink_jobmanager_numRegisteredTaskManagers");
    StringBuilder taskManagers = new StringBuilder();
    for (int i = 1; i <= ClusterCity.TASK_MANAGERS; i++) {
      taskManagers.append(
          get(
              "http://127.0.0.1:"
                  + cluster.flinkMetricsPorts().get("flink-taskmanager-" + i)
                  + "/metrics"));
    }
    // The reporter writes label values with '_' for every character Prometheus names do not take.
    assertThat(taskManagers.toString())
        .containsPattern(
            "flink_taskmanager_job_task_operator_numRecordsIn\\{[^}]*job_name=\"citybrain_traffic\"")
        .contains("repeatedReadings");
  }

  /** Issue 23: the store holds rows for citybrain's own processes only. */
  static void storeRefusesWithoutCredentials(ClusterCity cluster) {
    assertThatThrownBy(
            () -> EmbeddedQuestDb.query(cluster.storeUrl(), "SELECT count() FROM traffic_segment"))
        .hasMessageContaining("it requires credentials");
  }

  /** Issue 23: jobs are submitted as job graphs; the REST port takes no jar from anyone. */
  static void flinkRestTakesNoJar(ClusterCity cluster) throws Exception {
    String boundary = "citybrain-it";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"x.jar\"\r\n"
            + "Content-Type: application/x-java-archive\r\n\r\nPK\r\n--"
            + boundary
            + "--\r\n";
    HttpResponse<String> upload =
        HTTP.send(
            HttpRequest.newBuilder(cluster.flinkUi().resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // With submission on, this upload would be stored (200); without its handler Flink refuses it.
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(400);
    assertThat(upload.body()).contains("POST request not allowed");
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
