package io.citybrain.connectors.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DispatchMain} as production runs it: a JVM of its own on real Kafka (KRaft) and a real
 * broker, stopped by SIGTERM, after which the offsets of what it delivered are committed.
 */
class DispatchMainITCase {

  @TempDir Path dir;

  @Test
  void aDispatcherProcessDeliversAnAlertToItsCommunityAndCommitsWhenTerminated() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
      List<String> atCommunity = new CopyOnWriteArrayList<>();
      MqttClient manager = new MqttClient(broker.url(), "it-manager", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      manager.connect(o);
      manager.subscribe(
          "city/alerts/community/c-A",
          1,
          (t, m) -> atCommunity.add(Alert.fromJson(m.getPayload()).alertId()));

      Path properties =
          Files.writeString(
              dir.resolve("dispatch.properties"),
              String.join(
                  "\n",
                  "dispatch.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                  "dispatch.mqtt.url=" + broker.url(),
                  "dispatch.mqtt.client-id=it-dispatch-0",
                  "dispatch.http.port=0",
                  "dispatch.http.host=127.0.0.1",
                  ""));
      Path log = dir.resolve("dispatch.log");
      Process process = start(log, properties.toString());
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> read(log).contains(DispatchMain.READY) || !process.isAlive());
        assertThat(process.isAlive())
            .as("the dispatcher is running; its log: %s", read(log))
            .isTrue();

        Alert alert =
            new Alert(
                "main-1",
                "sos",
                Alert.SEVERITY_CRITICAL,
                Alert.STATE_RAISED,
                "330106",
                "c-A",
                30.2445,
                120.1445,
                System.currentTimeMillis(),
                "SOS call",
                null,
                null,
                null);
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                KafkaClients.reliableProducer(kafka.bootstrapServers(), "it-alerts"))) {
          producer
              .send(new ProducerRecord<>(Topics.ALERTS, alert.community(), alert.toJson()))
              .get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> atCommunity.contains("main-1"));
        // The process serves its operations endpoints where its ready line says (issue 21).
        java.util.regex.Matcher health =
            java.util.regex.Pattern.compile("health (http://127\\.0\\.0\\.1:\\d+)/health/ready")
                .matcher(read(log));
        assertThat(health.find()).as("the ready line names the health URL: %s", read(log)).isTrue();
        var http = java.net.http.HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  var ready =
                      http.send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create(health.group(1) + "/health/ready"))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString());
                  assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                  var metrics =
                      http.send(
                              java.net.http.HttpRequest.newBuilder(
                                      java.net.URI.create(health.group(1) + "/metrics"))
                                  .build(),
                              java.net.http.HttpResponse.BodyHandlers.ofString())
                          .body();
                  assertThat(metrics)
                      .contains(
                          "citybrain_dispatch_alerts_total{outcome=\"published\",reason=\"none\"} 1.0");
                });
      } finally {
        process.destroy(); // SIGTERM
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      manager.disconnect();
      manager.close();
      // 128 + SIGTERM: the JVM ran its shutdown hooks and exited, not killed after the grace
      // period.
      assertThat(process.exitValue()).as("exit status; log: %s", read(log)).isEqualTo(143);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets("citybrain-alert-dispatch")
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      assertThat(committed.get(new TopicPartition(Topics.ALERTS, 0)).offset()).isEqualTo(1);
    }
  }

  /**
   * Issue 21: the process's own logging configuration (the one the manifests name), as JSON lines:
   * every log event one JSON object, the service named, and neither the MQTT password nor the store
   * token anywhere in the output, through start, delivery and SIGTERM.
   */
  @Test
  void itsJsonLogIsOneObjectPerEventAndHoldsNoSecret() throws Exception {
    char[] password = io.citybrain.embedded.MqttUsers.randomPassword();
    String token = "store-token-" + Long.toHexString(System.nanoTime());
    Path usersFile =
        Files.writeString(dir.resolve("users.csv"), "# username,role,scope,password-hash\n");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka-json"), 0, Map.of());
        EmbeddedMqttBroker broker =
            EmbeddedMqttBroker.start(
                dir.resolve("mqtt-json"),
                0,
                io.citybrain.embedded.MqttUsers.load(usersFile)
                    .addService("citybrain-dispatch", password))) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
      Path log = dir.resolve("dispatch-json.log");
      Process process =
          start(
              log,
              Map.of(
                  "CITYBRAIN_DISPATCH_MQTT_PASSWORD",
                  new String(password),
                  "CITYBRAIN_INFLUX_TOKEN",
                  token),
              "-Dlog4j2.configurationFile=citybrain-log4j2-json.xml",
              "-Dcitybrain.service=dispatch",
              "-Ddispatch.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
              "-Ddispatch.mqtt.url=" + broker.url(),
              "-Ddispatch.mqtt.client-id=citybrain-dispatch-json",
              "-Ddispatch.mqtt.username=citybrain-dispatch",
              "-Ddispatch.influx.url=http://127.0.0.1:1",
              "-Ddispatch.http.port=0",
              "-Ddispatch.http.host=127.0.0.1");
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> read(log).contains(DispatchMain.READY) || !process.isAlive());
        assertThat(process.isAlive())
            .as("the dispatcher is running; its log: %s", read(log))
            .isTrue();
      } finally {
        process.destroy();
        process.waitFor(60, TimeUnit.SECONDS);
      }
      String output = read(log);
      assertThat(output).doesNotContain(new String(password)).doesNotContain(token);
      List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
      List<String> notJson = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.isBlank() || line.startsWith(DispatchMain.READY)) {
          continue; // the ready line is the process's stdout contract, not a log event
        }
        try {
          events.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          notJson.add(line);
        }
      }
      assertThat(notJson).as("lines of the output that are not JSON").isEmpty();
      assertThat(events)
          .isNotEmpty()
          .allSatisfy(
              e -> {
                assertThat(e.path("@timestamp").asText()).isNotEmpty();
                assertThat(e.path("log.level").asText()).isNotEmpty();
                assertThat(e.path("service.name").asText()).isEqualTo("dispatch");
              });
      assertThat(events)
          .anySatisfy(e -> assertThat(e.path("message").asText()).contains("consumes city.alerts"));
    }
  }

  @Test
  void aBadValueStopsTheProcessNamingTheKeyButNotTheSecret() throws Exception {
    Path log = dir.resolve("bad.log");
    Process process =
        start(
            log,
            "-Ddispatch.kafka.bootstrap-servers=localhost:1",
            "-Ddispatch.mqtt.url=tcp://localhost:1",
            "-Ddispatch.mqtt.client-id=x",
            "-Ddispatch.webhook.retries=lots",
            "-Ddispatch.webhooks=ftp://h/?key=s3cret");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(read(log))
        .contains("dispatch: bad configuration: dispatch.")
        .doesNotContain("s3cret");
  }

  /**
   * A JVM running DispatchMain: {@code -D} arguments are its properties, any other its properties
   * file.
   */
  private static Process start(Path log, String... arguments) throws IOException {
    return start(log, Map.of(), arguments);
  }

  private static Process start(Path log, Map<String, String> environment, String... arguments)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=log4j2-test.properties",
                "-cp",
                System.getProperty("java.class.path")));
    List<String> mainArgs = new ArrayList<>();
    for (String a : arguments) {
      (a.startsWith("-D") ? command : mainArgs).add(a);
    }
    command.add(DispatchMain.class.getName());
    command.addAll(mainArgs);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(environment);
    return pb.start();
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
