package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console as a service (issue 20, first step; issue 21's console endpoints), started the way
 * {@code ./citybrain console} and the Kubernetes Deployment start it: {@link ConsoleMain} with
 * {@code console.*} keys and secrets from the environment, against a Kafka that requires SCRAM, a
 * store that requires its account, and its own TLS.
 */
class ConsoleMainITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final char[] STORE_PASSWORD = io.citybrain.embedded.MqttUsers.randomPassword();
  private static final String KAFKA_USER = "citybrain-console-kafka";
  private static final String KAFKA_PASSWORD = "console-kafka-pw-0123";
  private static final String TOKEN = "a-token-from-the-secret-0123456789";

  @TempDir static Path dir;

  private static EmbeddedMqttBroker broker;
  private static EmbeddedKafka kafka;
  private static EmbeddedQuestDb store;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
    kafka = EmbeddedKafka.startWithSaslListener(dir.resolve("kafka"), Map.of());
    kafka.addScramUser("SCRAM-SHA-512", KAFKA_USER, KAFKA_PASSWORD);
    store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0, "citybrain", STORE_PASSWORD);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(Topics.ALERTS, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {store, kafka, broker}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static Properties settings(String... more) {
    Properties p = new Properties();
    p.setProperty("console.http.port", "0");
    p.setProperty("console.ops.http.host", "127.0.0.1");
    p.setProperty("console.ops.http.port", "0");
    p.setProperty("console.store.url", store.url());
    p.setProperty("console.store.username", "citybrain");
    p.setProperty("console.kafka.bootstrap-servers", kafka.saslBootstrapServers());
    p.setProperty("console.kafka.security.protocol", "SASL_PLAINTEXT");
    p.setProperty("console.kafka.sasl.mechanism", "SCRAM-SHA-512");
    p.setProperty("console.mqtt.url", broker.url());
    for (int i = 0; i < more.length; i += 2) {
      p.setProperty(more[i], more[i + 1]);
    }
    return p;
  }

  private static Map<String, String> environment(boolean withToken) {
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(
                "CITYBRAIN_CONSOLE_STORE_PASSWORD",
                new String(STORE_PASSWORD),
                "CITYBRAIN_KAFKA_SASL_USERNAME",
                KAFKA_USER,
                "CITYBRAIN_KAFKA_SASL_PASSWORD",
                KAFKA_PASSWORD));
    if (withToken) {
      env.put("CITYBRAIN_CONSOLE_TOKEN", TOKEN);
    }
    return env;
  }

  /** As ConsoleMain.main reads them: secrets from the environment into the keys. */
  private static ConsoleMain.Running startConsole(Properties p, Map<String, String> env)
      throws Exception {
    Properties loaded = ConsoleMain.load(new String[0], env);
    loaded.putAll(p);
    return ConsoleMain.start(loaded, env);
  }

  /** A key store with a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
  private static Path keystore(char[] password) throws Exception {
    Path file = dir.resolve("console.p12");
    Files.deleteIfExists(file);
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "console",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                new String(password))
            .redirectErrorStream(true)
            .start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(out).isZero();
    return file;
  }

  private static HttpClient trusting(Path keystore, char[] password) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      trust.load(in, password);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).build();
  }

  private static void produce(Alert a) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            io.citybrain.connectors.kafka.KafkaClients.reliableProducer(
                kafka.bootstrapServers(), "it-console-main-alerts"))) {
      p.send(new ProducerRecord<>(Topics.ALERTS, a.community(), a.toJson()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  @Test
  void theServiceServesOverTlsWithKafkaSecurityAndItsOperationsEndpoints() throws Exception {
    char[] keystorePassword = "keystore-pw-0123".toCharArray();
    Path keystore = keystore(keystorePassword);
    Map<String, String> env = environment(true);
    env.put("CITYBRAIN_CONSOLE_TLS_KEYSTORE_PASSWORD", new String(keystorePassword));
    try (ConsoleMain.Running console =
        startConsole(settings("console.tls.keystore", keystore.toString()), env)) {
      URI url = console.server().url();
      assertThat(url.getScheme()).isEqualTo("https");
      HttpClient https = trusting(keystore, keystorePassword);
      HttpClient plain = HttpClient.newHttpClient();
      String ops = console.ops().url();
      // Ready once it follows city.alerts through SCRAM and holds its MQTT connection.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(plain, ops + "/health/ready").startsWith("200 "));
      assertThat(get(plain, ops + "/health/live")).startsWith("200 ");

      store.query(
          "INSERT INTO traffic_district VALUES ('330106', 1.75, 2, 31.5, 0.5, 9, '2026-01-05T08:01:00.000000Z')");
      produce(
          new Alert(
              "sos-main-1",
              "sos",
              "critical",
              "raised",
              "330106",
              "c-main",
              30.26,
              120.12,
              System.currentTimeMillis(),
              "SOS",
              new Evidence[0],
              "community",
              null));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                JsonNode live = JSON.readTree(get(https, url + "api/live").substring(4));
                return live.path("alerts").findValuesAsText("alertId").contains("sos-main-1")
                    && live.path("districts").findValuesAsText("district").contains("330106");
              });

      HttpResponse<String> ack =
          https.send(
              HttpRequest.newBuilder(url.resolve("/api/alerts/sos-main-1/ack"))
                  .header("Content-Type", "application/json")
                  .header("Origin", "https://127.0.0.1:" + url.getPort())
                  .header("X-Citybrain-Token", TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"duty officer\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ack.statusCode()).as(ack.body()).isEqualTo(202);

      String metrics = get(plain, ops + "/metrics");
      assertThat(metrics)
          .contains(
              "citybrain_console_acknowledgements_total{outcome=\"published\"} 1.0",
              "citybrain_console_alerts_open 1.0",
              "jvm_memory_used_bytes");
      // Nothing secret in what an operator's scraper or a probe reads.
      String ready = get(plain, ops + "/health/ready");
      for (String secret :
          List.of(
              TOKEN, KAFKA_PASSWORD, new String(STORE_PASSWORD), new String(keystorePassword))) {
        assertThat(metrics).doesNotContain(secret);
        assertThat(ready).doesNotContain(secret);
      }
    }
  }

  @Test
  void withoutATokenTheConsoleIsReadOnly() throws Exception {
    try (ConsoleMain.Running console = startConsole(settings(), environment(false))) {
      URI url = console.server().url();
      assertThat(url.getScheme()).isEqualTo("http");
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, url + "api/live")).startsWith("200 ");

      // A district's trend: its windows of the last hour, oldest first; only a district of the city
      // is taken.
      java.time.format.DateTimeFormatter micros =
          java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
              .withZone(java.time.ZoneOffset.UTC);
      java.time.Instant now =
          java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
      for (int minutesAgo : new int[] {5, 120, 10}) {
        store.query(
            "INSERT INTO traffic_district VALUES ('330105', "
                + (1 + minutesAgo / 100.0)
                + ", 1, 30.0, 0.0, 5, '"
                + micros.format(now.minus(java.time.Duration.ofMinutes(minutesAgo)))
                + "')");
      }
      // The store applies inserts to its tables a moment later (WAL tables, with deduplication
      // keys).
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode trend =
                    JSON.readTree(get(http, url + "api/trend?district=330105").substring(4));
                assertThat(trend.path("points").findValuesAsText("timestamp"))
                    .containsExactly(
                        micros.format(now.minus(java.time.Duration.ofMinutes(10))),
                        micros.format(now.minus(java.time.Duration.ofMinutes(5))));
                assertThat(trend.path("points").get(0).path("tti").asDouble()).isEqualTo(1.1);
              });
      assertThat(get(http, url + "api/trend?district=330105%27%20OR%20%271%27=%271"))
          .startsWith("400 ");
      assertThat(get(http, url + "api/trend")).startsWith("400 ");
      HttpResponse<String> ack =
          http.send(
              HttpRequest.newBuilder(url.resolve("/api/alerts/sos-main-1/ack"))
                  .header("Content-Type", "application/json")
                  .header("Origin", "http://127.0.0.1:" + url.getPort())
                  .header("X-Citybrain-Token", TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ack.statusCode()).isEqualTo(403);
      assertThat(ack.body()).contains("read-only");
    }
  }
}
