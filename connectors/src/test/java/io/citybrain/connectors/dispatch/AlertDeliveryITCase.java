package io.citybrain.connectors.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.citybrain.connectors.bridge.BridgeSettings;
import io.citybrain.connectors.bridge.MqttKafkaBridge;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.embedded.MqttUsers;
import io.citybrain.testkit.KafkaRecords;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert delivery end to end on the real parts, with the broker's access control on: Kafka {@code
 * city.alerts} → dispatcher (a service account) → the broker → managers' and officers' clients;
 * webhooks (a JDK HTTP server stands in for the receiving system, which is outside citybrain); the
 * {@code alert} measurement in the embedded store; acknowledgements from a manager back through the
 * bridge (another service account) to {@code city.acks}.
 */
class AlertDeliveryITCase {

  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  private static final String DISTRICT = "330106";
  private static final char[] MANAGER_PASSWORD = "mgr-pass-1".toCharArray();
  private static final char[] DEVICE_PASSWORD = "dev-pass-1".toCharArray();

  @TempDir static Path dir;

  private static EmbeddedKafka kafka;
  private static EmbeddedMqttBroker broker;
  private static EmbeddedQuestDb store;
  private static HttpServer receiver;

  /** A real SMTP server (GreenMail) that requires the dispatcher's account. */
  private static com.icegreen.greenmail.util.GreenMail smtp;

  private static MqttKafkaBridge bridge;
  private static AlertDispatcher dispatcher;
  private static KafkaProducer<String, byte[]> producer;
  private static final List<String> received = new CopyOnWriteArrayList<>();

  /**
   * What each robot receiver took, as "<alertId>" when its format and signature checked out, else
   * "BAD: why".
   */
  private static final Map<String, List<String>> robots =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final String WEBHOOK_SECRET = "generic-webhook-secret";
  private static final String DINGTALK_SECRET = "SECdingtalk-robot-secret";
  private static final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
    store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0);

    Path usersFile = dir.resolve("users.csv");
    Files.writeString(
        usersFile,
        String.join(
            "\n",
            "# username,role,scope,password-hash",
            "mgr-a,manager,c-A," + io.citybrain.users.UsersFile.hash(MANAGER_PASSWORD, 1000),
            "mgr-b,manager,c-B," + io.citybrain.users.UsersFile.hash(MANAGER_PASSWORD, 1000),
            "officer-1,officer,"
                + DISTRICT
                + ","
                + io.citybrain.users.UsersFile.hash(MANAGER_PASSWORD, 1000),
            "dev-1,device,," + io.citybrain.users.UsersFile.hash(DEVICE_PASSWORD, 1000),
            ""));
    char[] bridgePassword = MqttUsers.randomPassword();
    char[] dispatchPassword = MqttUsers.randomPassword();
    MqttUsers users =
        MqttUsers.load(usersFile)
            .addService("citybrain-bridge", bridgePassword)
            .addService("citybrain-dispatch", dispatchPassword);
    broker = EmbeddedMqttBroker.start(dir.resolve("mqtt"), 0, users);

    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/ok",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(new String(body, StandardCharsets.UTF_8));
          // The generic webhook's signature, checked as a receiver would: HMAC-SHA256 of
          // "<timestamp>.<body>".
          String ts = exchange.getRequestHeaders().getFirst("X-Citybrain-Timestamp");
          String sig = exchange.getRequestHeaders().getFirst("X-Citybrain-Signature");
          byte[] signed = (ts + ".").getBytes(StandardCharsets.UTF_8);
          byte[] all = java.util.Arrays.copyOf(signed, signed.length + body.length);
          System.arraycopy(body, 0, all, signed.length, body.length);
          robots
              .computeIfAbsent("generic", k -> new CopyOnWriteArrayList<>())
              .add(
                  ("sha256=" + java.util.HexFormat.of().formatHex(hmac(WEBHOOK_SECRET, all)))
                          .equals(sig)
                      ? Alert.fromJson(body).alertId()
                      : "BAD: signature " + sig);
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    // A DingTalk group robot with "加签": timestamp and sign in the query, a text message, errcode 0.
    receiver.createContext(
        "/dingtalk",
        exchange ->
            robot(
                exchange,
                "dingtalk",
                () -> {
                  Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
                  long ts = Long.parseLong(q.get("timestamp"));
                  String expected =
                      java.util.Base64.getEncoder()
                          .encodeToString(hmac(DINGTALK_SECRET, ts + "\n" + DINGTALK_SECRET));
                  if (!"tok".equals(q.get("access_token"))
                      || !expected.equals(q.get("sign"))
                      || Math.abs(System.currentTimeMillis() - ts) > 3_600_000) {
                    return "BAD: access token, sign or timestamp";
                  }
                  return null;
                },
                "{\"errcode\":0,\"errmsg\":\"ok\"}"));
    // A WeCom group robot: the key in the URL, a text message, errcode 0.
    receiver.createContext(
        "/wecom",
        exchange ->
            robot(
                exchange,
                "wecom",
                () ->
                    "k1".equals(query(exchange.getRequestURI().getRawQuery()).get("key"))
                        ? null
                        : "BAD: key",
                "{\"errcode\":0,\"errmsg\":\"ok\"}"));
    // A robot that takes the call and refuses the message, as DingTalk does on a wrong signature.
    receiver.createContext(
        "/refusing",
        exchange ->
            robot(
                exchange,
                "refusing",
                () -> null,
                "{\"errcode\":310000,\"errmsg\":\"sign not match\"}"));
    receiver.createContext(
        "/down",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    smtp =
        new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(
                        0, "127.0.0.1", com.icegreen.greenmail.util.ServerSetup.PROTOCOL_SMTP)
                    .dynamicPort())
            .withConfiguration(
                com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig()
                    .withUser("dispatch", "smtp-pw"));
    smtp.start();

    bridge =
        MqttKafkaBridge.start(
            BridgeSettings.local(broker.url(), kafka.bootstrapServers())
                .withCredentials("citybrain-bridge", bridgePassword)
                .withUsers(usersFile));
    DispatchSettings local =
        DispatchSettings.local(
                kafka.bootstrapServers(),
                broker.url(),
                new InfluxSettings(store.url(), "citybrain", "citybrain", "x"))
            .withMqttCredentials("citybrain-dispatch", dispatchPassword);
    // The SMTP server too: an e-mail channel without one is refused, naming dispatch.smtp.host.
    dispatcher =
        AlertDispatcher.start(
            new DispatchSettings(
                local.kafkaBootstrap(),
                local.mqttUrl(),
                local.clientId(),
                local.mqttUsername(),
                local.mqttPassword(),
                List.of(URI.create(base + "/ok"), URI.create(base + "/down?key=s3cret")),
                2,
                local.webhookTimeout(),
                local.store(),
                local.kafkaSecurity(),
                WEBHOOK_SECRET.toCharArray(),
                List.of(
                    new Channel(
                        "xihu-dingtalk",
                        Channel.Format.DINGTALK,
                        URI.create(base + "/dingtalk?access_token=tok"),
                        DINGTALK_SECRET.toCharArray(),
                        java.util.Set.of("c-A"),
                        null),
                    new Channel(
                        "b-wecom",
                        Channel.Format.WECOM,
                        URI.create(base + "/wecom?key=k1"),
                        null,
                        java.util.Set.of("c-B"),
                        null),
                    new Channel(
                        "refusing",
                        Channel.Format.DINGTALK,
                        URI.create(base + "/refusing?access_token=t"),
                        null,
                        java.util.Set.of("c-refused"),
                        null),
                    new Channel(
                        "mgr-a-mail",
                        Channel.Format.EMAIL,
                        URI.create("mailto:mgr-a@xihu.example"),
                        null,
                        java.util.Set.of("c-A"),
                        null)),
                new DispatchSettings.Smtp(
                    "127.0.0.1",
                    smtp.getSmtp().getPort(),
                    false,
                    "dispatch",
                    "smtp-pw".toCharArray(),
                    "citybrain@city.example")));
    producer =
        new KafkaProducer<>(KafkaClients.reliableProducer(kafka.bootstrapServers(), "it-alerts"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
    for (AutoCloseable c :
        new AutoCloseable[] {
          producer,
          dispatcher,
          bridge,
          () -> receiver.stop(0),
          () -> smtp.stop(),
          broker,
          store,
          kafka
        }) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void aManagerReceivesOnlyTheirCommunitysAlerts() throws Exception {
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    List<String> atOfficer = new CopyOnWriteArrayList<>();
    MqttClient a = connect("mgr-a", MANAGER_PASSWORD);
    MqttClient b = connect("mgr-b", MANAGER_PASSWORD);
    MqttClient officer = connect("officer-1", MANAGER_PASSWORD);

    assertThat(grantedQos(a, "city/alerts/community/c-B")).as("another community").isEqualTo(128);
    assertThat(grantedQos(a, "city/alerts/community/#"))
        .as("a wildcard over communities")
        .isEqualTo(128);
    assertThat(grantedQos(a, "city/alerts/#")).as("every alert").isEqualTo(128);
    assertThat(grantedQos(a, "city/alerts/district/" + DISTRICT)).as("the district").isEqualTo(128);
    assertThat(grantedQos(officer, "city/alerts/district/330105"))
        .as("another district")
        .isEqualTo(128);
    a.subscribe(
        "city/alerts/community/c-A",
        1,
        (t, m) -> atA.add(Alert.fromJson(m.getPayload()).alertId()));
    b.subscribe(
        "city/alerts/community/c-B",
        1,
        (t, m) -> atB.add(Alert.fromJson(m.getPayload()).alertId()));
    officer.subscribe(
        "city/alerts/district/" + DISTRICT,
        1,
        (t, m) -> atOfficer.add(Alert.fromJson(m.getPayload()).alertId()));

    send(alert("access-A-1", "c-A"));
    send(alert("access-B-1", "c-B"));
    send(alert("access-B-2", "c-B"));
    send(alert("access-A-2", "c-A"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> atB.size() >= 2 && atA.size() >= 2 && atOfficer.size() >= 4);
    assertThat(atA).containsExactly("access-A-1", "access-A-2");
    assertThat(atB).containsExactly("access-B-1", "access-B-2");
    assertThat(atOfficer).containsExactly("access-A-1", "access-B-1", "access-B-2", "access-A-2");
  }

  @Test
  void anUnauthenticatedOrWrongPasswordClientIsRefused() {
    assertThatThrownBy(() -> connect(null, null)).isInstanceOf(MqttException.class);
    assertThatThrownBy(() -> connect("mgr-a", "wrong".toCharArray()))
        .isInstanceOf(MqttException.class);
    assertThatThrownBy(() -> connect("nobody", MANAGER_PASSWORD)).isInstanceOf(MqttException.class);
  }

  @Test
  void aDevicePublishesOnlyUnderItsOwnId() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    MqttClient device = connect("dev-1", DEVICE_PASSWORD);
    assertThat(grantedQos(device, "city/#")).as("devices read nothing").isEqualTo(128);
    // The bridge forwards what the broker let through; an unusable payload still reaches the
    // dead-letter topic, keyed by the topic's device id, so every accepted publication is visible.
    device.publish(
        "city/traffic/probe/dev-2",
        "{\"spoofed\":true}".getBytes(StandardCharsets.UTF_8),
        0,
        false);
    device.publish(
        "city/ack/some-alert", "{\"by\":\"dev-1\"}".getBytes(StandardCharsets.UTF_8), 0, false);
    device.publish(
        "city/traffic/probe/dev-1", "{\"own\":true}".getBytes(StandardCharsets.UTF_8), 1, false);
    List<ConsumerRecord<String, byte[]>> letters =
        readUntil(
            Topics.DEADLETTER,
            r -> DeadLetter.fromJson(r.value()).topic().equals("city/traffic/probe/dev-1"));
    assertThat(letters)
        .extracting(r -> DeadLetter.fromJson(r.value()).topic())
        .doesNotContain("city/traffic/probe/dev-2", "city/ack/some-alert");
  }

  @Test
  void anAlertReachesTheWebhookAndTheStoreAndAWebhookThatGivesUpLeavesADeadLetter()
      throws Exception {
    send(alert("hook-1", "c-A"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> received.stream().anyMatch(b -> b.contains("\"hook-1\"")));
    List<ConsumerRecord<String, byte[]>> letters =
        readUntil(Topics.DEADLETTER, r -> "hook-1".equals(r.key()));
    DeadLetter letter = DeadLetter.fromJson(letters.get(letters.size() - 1).value());
    assertThat(letter.reason()).isEqualTo("webhook-failed");
    assertThat(letter.stage()).isEqualTo("dispatch");
    assertThat(letter.detail())
        .startsWith(
            "POST http://127.0.0.1:"
                + receiver.getAddress().getPort()
                + "/down failed after 3 attempts, last: HTTP 503")
        .endsWith("(channel webhook-2)")
        .doesNotContain("s3cret");
    assertThat(Alert.fromJson(letter.rawPayload()).alertId()).isEqualTo("hook-1");

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !store.query("SELECT * FROM alert WHERE alert_id = 'hook-1'").isEmpty());
    assertThat(
            store.query(
                "SELECT kind, severity, district, community, state, message, cast(timestamp AS LONG) ts "
                    + "FROM alert WHERE alert_id = 'hook-1'"))
        .containsExactly(
            Map.of(
                "kind",
                "sos",
                "severity",
                "critical",
                "district",
                DISTRICT,
                "community",
                "c-A",
                "state",
                "raised",
                "message",
                "SOS 求助 / SOS call",
                "ts",
                T0 * 1000));
    // The dispatcher's stage of the pipeline measurement (issue 21): alerts in, delivered out, dead
    // letters.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                store
                            .query(
                                "SELECT sum(events_out) o FROM pipeline WHERE stage = 'dispatch'")
                            .get(0)
                            .get("o")
                        instanceof Number n
                    && n.longValue() > 0);
  }

  /**
   * Issue 20, item 5: each alert's records land on city.alerts.latest under its id, in order, so
   * compaction leaves the latest: the inbox an app reads on start.
   */
  @Test
  void theLatestRecordOfEachAlertIsInTheInboxTopic() throws Exception {
    Alert raised = alert("inbox-1", "c-inbox");
    Alert acked =
        new Alert(
            "inbox-1",
            "sos",
            Alert.SEVERITY_CRITICAL,
            Alert.STATE_ACKNOWLEDGED,
            DISTRICT,
            "c-inbox",
            30.2445,
            120.1445,
            T0 + 1000,
            "SOS 求助 / SOS call",
            null,
            null,
            "mgr-a",
            "on my way",
            "mgr-a",
            Alert.ACTION_ACKNOWLEDGED,
            null);
    Alert comment =
        new Alert(
            "inbox-1",
            "sos",
            Alert.SEVERITY_CRITICAL,
            Alert.STATE_ACKNOWLEDGED,
            DISTRICT,
            "c-inbox",
            30.2445,
            120.1445,
            T0 + 2000,
            "SOS 求助 / SOS call",
            null,
            null,
            "mgr-a",
            "at the door",
            "mgr-a",
            Alert.ACTION_COMMENTED,
            null);
    for (Alert a : List.of(raised, acked, comment)) {
      producer
          .send(new ProducerRecord<>(Topics.ALERTS, a.community(), a.toJson()))
          .get(30, TimeUnit.SECONDS);
    }
    List<ConsumerRecord<String, byte[]>> inbox =
        readUntil(
            Topics.ALERTS_LATEST,
            r -> "inbox-1".equals(r.key()) && Alert.fromJson(r.value()).equals(comment));
    assertThat(inbox)
        .filteredOn(r -> "inbox-1".equals(r.key()))
        .extracting(r -> Alert.fromJson(r.value()))
        .containsExactly(raised, acked, comment);
  }

  @Test
  void somethingThatIsNotAnAlertGoesToTheDeadLetterTopic() throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                Topics.ALERTS, "not-an-alert", "{oops".getBytes(StandardCharsets.UTF_8)))
        .get();
    List<ConsumerRecord<String, byte[]>> letters =
        readUntil(Topics.DEADLETTER, r -> "not-an-alert".equals(r.key()));
    assertThat(DeadLetter.fromJson(letters.get(letters.size() - 1).value()).reason())
        .isEqualTo("bad-alert");
  }

  @Test
  void anAcknowledgementPublishedByAManagerReachesCityAcksInTheirNameWithTheirScope()
      throws Exception {
    MqttClient a = connect("mgr-a", MANAGER_PASSWORD);
    // The bridge refuses acknowledgements older than bridge.max-reading-age (2 h) against its own
    // clock.
    long ackTs = System.currentTimeMillis() - 60_000;
    // The broker takes it only under mgr-a's own name; the payload's claim to be mgr-b is not read.
    a.publish(
        "city/ack/ack-1/mgr-a",
        ("{\"by\":\"mgr-b\",\"note\":\"马上到\",\"ts\":" + ackTs + "}")
            .getBytes(StandardCharsets.UTF_8),
        1,
        false);
    List<ConsumerRecord<String, byte[]>> acks =
        readUntil(Topics.ACKS, r -> "ack-1".equals(r.key()));
    String ack = new String(acks.get(acks.size() - 1).value(), StandardCharsets.UTF_8);
    assertThat(ack)
        .isEqualTo(
            "{\"alertId\":\"ack-1\",\"by\":\"mgr-a\",\"ts\":"
                + ackTs
                + ",\"role\":\"manager\",\"scope\":\"c-A\",\"note\":\"马上到\"}");
  }

  /**
   * Issue 20: each channel gets only its communities' alerts, in its own format, signed as its
   * receiver documents; the generic webhooks are signed with the webhook secret; a robot that
   * refuses the message (errcode in a 200 answer) leaves a dead letter naming the errcode.
   */
  @Test
  void eachChannelGetsItsCommunitysAlertsInItsFormatSigned() throws Exception {
    send(alert("chan-A", "c-A"));
    send(alert("chan-B", "c-B"));
    send(alert("chan-R", "c-refused"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                robots.getOrDefault("dingtalk", List.of()).contains("chan-A")
                    && robots.getOrDefault("wecom", List.of()).contains("chan-B")
                    && robots
                        .getOrDefault("generic", List.of())
                        .containsAll(List.of("chan-A", "chan-B", "chan-R")));
    assertThat(robots.get("dingtalk"))
        .doesNotContain("chan-B", "chan-R")
        .noneMatch(r -> r.startsWith("BAD"));
    assertThat(robots.get("wecom"))
        .doesNotContain("chan-A", "chan-R")
        .noneMatch(r -> r.startsWith("BAD"));
    assertThat(robots.get("generic")).noneMatch(r -> r.startsWith("BAD"));
    List<ConsumerRecord<String, byte[]>> letters =
        readUntil(
            Topics.DEADLETTER,
            r ->
                "chan-R".equals(r.key())
                    && DeadLetter.fromJson(r.value()).detail().contains("refusing"));
    DeadLetter refused = DeadLetter.fromJson(letters.get(letters.size() - 1).value());
    assertThat(refused.reason()).isEqualTo("webhook-failed");
    assertThat(refused.detail())
        .contains("was refused: errcode 310000: sign not match (channel refusing)")
        .doesNotContain("access_token");
  }

  /**
   * Issue 20: an SOS reaches the community's manager by e-mail through a real SMTP server that
   * requires the dispatcher's account; another community's alert does not.
   */
  @Test
  void aManagerGetsTheirCommunitysAlertByEmail() throws Exception {
    // B first: one partition, one dispatch thread, so once A's e-mail is in, B has been handled
    // too.
    send(alert("mail-B", "c-B"));
    send(alert("mail-A", "c-A"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                java.util.Arrays.stream(smtp.getReceivedMessages())
                    .anyMatch(m -> "mail-A".equals(header(m, "X-Citybrain-Alert-Id"))));
    jakarta.mail.internet.MimeMessage mail =
        java.util.Arrays.stream(smtp.getReceivedMessages())
            .filter(m -> "mail-A".equals(header(m, "X-Citybrain-Alert-Id")))
            .findFirst()
            .orElseThrow();
    assertThat(mail.getAllRecipients())
        .extracting(Object::toString)
        .containsExactly("mgr-a@xihu.example");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("citybrain@city.example");
    assertThat(mail.getSubject())
        .isEqualTo("【citybrain】CRITICAL sos · " + DISTRICT + " / c-A · raised");
    assertThat(String.valueOf(mail.getContent())).contains("SOS 求助 / SOS call", "mail-A");
    assertThat(smtp.getReceivedMessages())
        .noneMatch(m -> "mail-B".equals(header(m, "X-Citybrain-Alert-Id")));
  }

  private static String header(jakarta.mail.internet.MimeMessage m, String name) {
    try {
      return m.getHeader(name, null);
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Records what a robot receiver got: the alert id from its text message, or why the call was bad.
   */
  private static void robot(
      com.sun.net.httpserver.HttpExchange exchange,
      String name,
      java.util.function.Supplier<String> check,
      String answer)
      throws java.io.IOException {
    try (exchange) {
      com.fasterxml.jackson.databind.JsonNode m =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(exchange.getRequestBody().readAllBytes());
      String problem = check.get();
      String content = m.path("text").path("content").asText("");
      if (problem == null && !"text".equals(m.path("msgtype").asText())) {
        problem = "BAD: msgtype";
      }
      // The text ends with " · <alertId>" (Channel.text).
      String id =
          content.contains(" · ")
              ? content.substring(content.lastIndexOf(" · ") + 3)
              : "BAD: no alert id in " + content;
      robots
          .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
          .add(problem != null ? problem : id);
      byte[] body = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(
          kv[0], kv.length < 2 ? "" : java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  private static byte[] hmac(String secret, String data) {
    return hmac(secret, data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String secret, byte[] data) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Alert alert(String id, String community) {
    return new Alert(
        id,
        "sos",
        Alert.SEVERITY_CRITICAL,
        Alert.STATE_RAISED,
        DISTRICT,
        community,
        30.2445,
        120.1445,
        T0,
        "SOS 求助 / SOS call",
        null,
        null,
        null);
  }

  private static void send(Alert a) throws Exception {
    producer
        .send(new ProducerRecord<>(Topics.ALERTS, a.community(), a.toJson()))
        .get(30, TimeUnit.SECONDS);
  }

  private static MqttClient connect(String user, char[] password) throws MqttException {
    MqttClient c =
        new MqttClient(broker.url(), user + "-it-" + clients.size(), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setConnectionTimeout(10);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password);
    }
    c.connect(o);
    clients.add(c);
    return c;
  }

  /** What the broker granted: 0..2, or 128 when it refused the subscription. */
  private static int grantedQos(MqttClient c, String filter) throws MqttException {
    try {
      return c.subscribeWithResponse(filter, 1).getGrantedQos()[0];
    } catch (MqttException e) {
      if (e.getReasonCode() == 128) {
        return 128;
      }
      throw e;
    }
  }

  /** Reads {@code topic} from the start until a record matches; returns what was read up to it. */
  private static List<ConsumerRecord<String, byte[]>> readUntil(
      String topic, Predicate<ConsumerRecord<String, byte[]>> done) {
    try (KafkaRecords r = KafkaRecords.of(kafka.bootstrapServers(), topic)) {
      List<ConsumerRecord<String, byte[]>> all =
          r.until(read -> read.stream().anyMatch(done), Duration.ofSeconds(60));
      int first = 0;
      while (!done.test(all.get(first))) {
        first++;
      }
      return all.subList(0, first + 1);
    }
  }
}
