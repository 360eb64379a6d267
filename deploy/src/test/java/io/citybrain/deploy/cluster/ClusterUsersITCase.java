package io.citybrain.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Topics;
import io.citybrain.testkit.KafkaRecords;
import io.citybrain.testkit.MosquittoClients;
import io.citybrain.users.UsersFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's "done when" on {@code ./citybrain cluster --users}: with a users file, a community
 * manager handles their community's alerts, and only theirs, from the console (sign-in, REST) and
 * over MQTT (Debian's Mosquitto with the ACL {@code ./citybrain users mosquitto} writes), and every
 * acknowledgement reaches {@code city.acks} in the name the broker or the console checked, with the
 * person's role and scope. Nobody acknowledges as someone else; nobody connects anonymously; a
 * person's account does not open the services' listener. No job is submitted: the alerts are put on
 * {@code city.alerts} as the emergency job would, and the job's own scope check is
 * IncidentLifecycleHarnessTest's.
 */
class ClusterUsersITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void aManagerHandlesTheirCommunitysAlertsAndOnlyTheirs() throws Exception {
    Path users = dir.resolve("users.csv");
    // People's accounts at the service iterations: the check's cost is PasswordHashCost's subject,
    // not this test's.
    Files.write(
        users,
        List.of(
            "ops,operator,," + UsersFile.hash("ops-pass".toCharArray(), 1000),
            "mgr-a,manager,c-users-a," + UsersFile.hash("a-pass".toCharArray(), 1000),
            "mgr-b,manager,c-users-b," + UsersFile.hash("b-pass".toCharArray(), 1000)));
    ClusterCity.Options o =
        ClusterCity.Options.ephemeral(
                dir.resolve("cluster"), ClusterChecks.FLINK_CLASSPATH, ClusterChecks.JOB_JAR)
            .withUsers(users);
    // A broker already on the port asked for (Debian's mosquitto service on 1883) would pass for
    // the cluster's own: the start stops before any process, naming the port and the option.
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ClusterCity.Options busy =
          ClusterCity.Options.builder(
                  dir.resolve("busy"), ClusterChecks.FLINK_CLASSPATH, ClusterChecks.JOB_JAR)
              .ports(taken.getLocalPort(), 0, 0)
              .build();
      assertThatThrownBy(() -> ClusterCity.start(busy, step -> {}))
          .hasMessageContaining("port " + taken.getLocalPort() + " (--mqtt-port) is in use");
      assertThat(dir.resolve("busy/logs")).as("nothing started, nothing written").doesNotExist();
    }
    try (ClusterCity cluster =
        ClusterCity.start(o, step -> System.out.println("users cluster: starting " + step))) {
      assertThat(cluster.consoleToken()).as("people sign in: no token").isNull();
      assertThat(cluster.endpoints())
          .anyMatch(l -> l.startsWith("live console") && l.contains("sign in"));

      // Nobody anonymous, no person on the services' listener, no service on the people's.
      assertThatThrownBy(() -> connect(cluster.mqttUrl(), "anyone", null, null))
          .isInstanceOf(MqttException.class);
      assertThatThrownBy(() -> connect(cluster.serviceMqttUrl(), "mgr-a", "mgr-a", "a-pass"))
          .isInstanceOf(MqttException.class);

      // The manager's app, subscribed to their community (and, in vain, to the other one).
      List<String> heard = new CopyOnWriteArrayList<>();
      MqttClient app = connect(cluster.mqttUrl(), "mgr-a-phone", "mgr-a", "a-pass");
      app.subscribe(
          new String[] {"city/alerts/community/c-users-a", "city/alerts/community/c-users-b"},
          new int[] {1, 1},
          new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {
            (t, m) -> heard.add(t), (t, m) -> heard.add(t)
          });
      Alert mine = alert("sos-users-a", "c-users-a");
      Alert theirs = alert("sos-users-b", "c-users-b");
      KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              KafkaClients.reliableProducer(cluster.kafkaBootstrap(), "users-alerts"));
      try {
        producer
            .send(new ProducerRecord<>(Topics.ALERTS, mine.community(), mine.toJson()))
            .get(60, TimeUnit.SECONDS);
        producer
            .send(new ProducerRecord<>(Topics.ALERTS, theirs.community(), theirs.toJson()))
            .get(60, TimeUnit.SECONDS);
      } finally {
        // close() without a time waits as long as it takes
        producer.close(Duration.ofSeconds(30));
      }
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> heard.contains("city/alerts/community/c-users-a"));

      // The console: the manager signs in and sees, reads and acts on their own alert only.
      URI console = cluster.consoleUrl();
      String origin = "http://127.0.0.1:" + console.getPort();
      assertThat(send(console, "GET", "/api/alerts", null, null, origin).statusCode())
          .isEqualTo(401);
      String manager = signIn(console, origin, "mgr-a", "a-pass");
      String operator = signIn(console, origin, "ops", "ops-pass");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  JSON.readTree(send(console, "GET", "/api/alerts", null, operator, origin).body())
                      .findValuesAsText("alertId")
                      .containsAll(List.of("sos-users-a", "sos-users-b")));
      assertThat(
              JSON.readTree(
                      send(console, "GET", "/api/alerts?open=true", null, manager, origin).body())
                  .findValuesAsText("alertId"))
          .containsExactly("sos-users-a");
      assertThat(
              send(console, "GET", "/api/alerts/sos-users-b", null, manager, origin).statusCode())
          .isEqualTo(404);
      assertThat(
              send(console, "POST", "/api/alerts/sos-users-b/ack", "{}", manager, origin)
                  .statusCode())
          .isEqualTo(403);
      HttpResponse<String> taken =
          send(
              console,
              "POST",
              "/api/alerts/sos-users-a/ack",
              "{\"note\":\"on my way\"}",
              manager,
              origin);
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(202);

      // Over MQTT: in another's name the broker drops it (Mosquitto 2.0 still answers a QoS 1
      // PUBLISH with a PUBACK); in their own name it goes through, whatever the payload claims.
      long ts = System.currentTimeMillis();
      // The forger uses Debian's mosquitto_pub at QoS 1: its exit status says the broker took the
      // PUBLISH (and answered it, denied or not). A Paho client connected just before, on a slow
      // run, twice never wrote its QoS 0 PUBLISH at all, so its absence proved nothing.
      assertThat(
              mosquittoPub(
                  cluster.mqttUrl(),
                  "mgr-b",
                  "b-pass",
                  "city/ack/sos-users-a/mgr-a",
                  "{\"ts\":" + ts + ",\"note\":\"forged\"}"))
          .as("mosquitto_pub exits 0: the broker answered the forged ack")
          .isZero();
      app.publish(
          "city/ack/sos-users-a/mgr-a",
          ("{\"by\":\"ops\",\"ts\":" + ts + ",\"note\":\"at the door\"}")
              .getBytes(StandardCharsets.UTF_8),
          1,
          false);

      List<JsonNode> acks = readAcks(cluster.kafkaBootstrap(), "sos-users-a", 2);
      assertThat(acks)
          .extracting(a -> a.path("note").asText())
          .containsExactlyInAnyOrder("on my way", "at the door");
      assertThat(acks)
          .allSatisfy(
              a -> {
                assertThat(a.path("by").asText()).isEqualTo("mgr-a");
                assertThat(a.path("role").asText()).isEqualTo("manager");
                assertThat(a.path("scope").asText()).isEqualTo("c-users-a");
              });
      assertThat(heard)
          .as("the other community's alert never reached mgr-a")
          .doesNotContain("city/alerts/community/c-users-b");
      app.disconnect();
      app.close();
    }
  }

  private static Alert alert(String id, String community) {
    return new Alert(
        id,
        "sos",
        Alert.SEVERITY_CRITICAL,
        Alert.STATE_RAISED,
        "330106",
        community,
        30.26,
        120.12,
        System.currentTimeMillis(),
        "SOS",
        null,
        Alert.SCOPE_COMMUNITY,
        null);
  }

  /** Debian's mosquitto_pub, with its defaults, at QoS 1; returns its exit status. */
  private static int mosquittoPub(
      String url, String user, String password, String topic, String payload) {
    URI broker = URI.create(url);
    MosquittoClients.Run pub =
        MosquittoClients.pub(
            "-h",
            broker.getHost(),
            "-p",
            String.valueOf(broker.getPort()),
            "-u",
            user,
            "-P",
            password,
            "-q",
            "1",
            "-t",
            topic,
            "-m",
            payload);
    System.out.print(pub.output());
    return pub.exit();
  }

  private static MqttClient connect(String url, String clientId, String user, String password)
      throws MqttException {
    MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
    // Paho's blocking calls wait forever by default (a SUBACK, PUBACK or DISCONNECT that never
    // comes would hold the build until CI's limit): every one is bounded.
    c.setTimeToWait(30_000);
    MqttConnectOptions o = new MqttConnectOptions();
    o.setConnectionTimeout(10);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    c.connect(o);
    return c;
  }

  private static String signIn(URI console, String origin, String user, String password)
      throws Exception {
    HttpResponse<String> in =
        send(
            console,
            "POST",
            "/api/login",
            "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}",
            null,
            origin);
    assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
    return in.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
  }

  private static HttpResponse<String> send(
      URI console, String method, String path, String body, String cookie, String origin)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(console.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Origin", origin)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The acknowledgements of {@code alertId} on city.acks, once there are {@code n}. */
  private static List<JsonNode> readAcks(String bootstrap, String alertId, int n) throws Exception {
    Predicate<ConsumerRecord<String, byte[]>> ofAlert = r -> alertId.equals(r.key());
    try (KafkaRecords r = KafkaRecords.of(bootstrap, Topics.ACKS)) {
      r.until(read -> read.stream().filter(ofAlert).count() >= n, Duration.ofSeconds(60));
      // Anything more (the forged one) would come right after: give it a moment, then none may be
      // there.
      List<JsonNode> found = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> a : r.during(Duration.ofSeconds(3))) {
        if (ofAlert.test(a)) {
          found.add(JSON.readTree(a.value()));
        }
      }
      assertThat(found).as("acknowledgements of " + alertId + " on city.acks").hasSize(n);
      return found;
    }
  }
}
