package io.citybrain.connectors.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.bridge.BridgeSettings;
import io.citybrain.connectors.bridge.MqttKafkaBridge;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.embedded.MqttUsers;
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
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert delivery end to end on the real parts, with the broker's access control on: Kafka
 * {@code city.alerts} → dispatcher (a service account) → the broker → managers' and officers'
 * clients; webhooks (a JDK HTTP server stands in for the receiving system, which is outside
 * citybrain); the {@code alert} measurement in the embedded store; acknowledgements from a manager
 * back through the bridge (another service account) to {@code city.acks}.
 */
class AlertDeliveryITCase {

  private static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  private static final String DISTRICT = "330106";
  private static final char[] MANAGER_PASSWORD = "mgr-pass-1".toCharArray();
  private static final char[] DEVICE_PASSWORD = "dev-pass-1".toCharArray();

  @TempDir
  static Path dir;

  private static EmbeddedKafka kafka;
  private static EmbeddedMqttBroker broker;
  private static EmbeddedQuestDb store;
  private static HttpServer receiver;
  private static MqttKafkaBridge bridge;
  private static AlertDispatcher dispatcher;
  private static KafkaProducer<String, byte[]> producer;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static final List<MqttClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(Topics.ALL.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
    }
    store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0);

    Path usersFile = dir.resolve("users.csv");
    Files.writeString(usersFile, String.join("\n",
        "# username,role,scope,password-hash",
        "mgr-a,manager,c-A," + MqttUsers.hash(MANAGER_PASSWORD),
        "mgr-b,manager,c-B," + MqttUsers.hash(MANAGER_PASSWORD),
        "officer-1,officer," + DISTRICT + "," + MqttUsers.hash(MANAGER_PASSWORD),
        "dev-1,device,," + MqttUsers.hash(DEVICE_PASSWORD),
        ""));
    char[] bridgePassword = MqttUsers.randomPassword();
    char[] dispatchPassword = MqttUsers.randomPassword();
    MqttUsers users = MqttUsers.load(usersFile)
        .addService("citybrain-bridge", bridgePassword)
        .addService("citybrain-dispatch", dispatchPassword);
    broker = EmbeddedMqttBroker.start(dir.resolve("mqtt"), 0, users);

    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/ok", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.createContext("/down", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();

    bridge = MqttKafkaBridge.start(BridgeSettings.local(broker.url(), kafka.bootstrapServers())
        .withCredentials("citybrain-bridge", bridgePassword));
    dispatcher = AlertDispatcher.start(DispatchSettings
        .local(kafka.bootstrapServers(), broker.url(), new InfluxSettings(store.url(), "citybrain", "citybrain", "x"))
        .withMqttCredentials("citybrain-dispatch", dispatchPassword)
        .withWebhooks(List.of(URI.create(base + "/ok"), URI.create(base + "/down?key=s3cret")), 2));
    producer = new KafkaProducer<>(KafkaClients.reliableProducer(kafka.bootstrapServers(), "it-alerts"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {producer, dispatcher, bridge, () -> receiver.stop(0), broker, store, kafka}) {
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
    assertThat(grantedQos(a, "city/alerts/community/#")).as("a wildcard over communities").isEqualTo(128);
    assertThat(grantedQos(a, "city/alerts/#")).as("every alert").isEqualTo(128);
    assertThat(grantedQos(a, "city/alerts/district/" + DISTRICT)).as("the district").isEqualTo(128);
    assertThat(grantedQos(officer, "city/alerts/district/330105")).as("another district").isEqualTo(128);
    a.subscribe("city/alerts/community/c-A", 1, (t, m) -> atA.add(Alert.fromJson(m.getPayload()).alertId()));
    b.subscribe("city/alerts/community/c-B", 1, (t, m) -> atB.add(Alert.fromJson(m.getPayload()).alertId()));
    officer.subscribe("city/alerts/district/" + DISTRICT, 1,
        (t, m) -> atOfficer.add(Alert.fromJson(m.getPayload()).alertId()));

    send(alert("access-A-1", "c-A"));
    send(alert("access-B-1", "c-B"));
    send(alert("access-B-2", "c-B"));
    send(alert("access-A-2", "c-A"));

    await().atMost(Duration.ofSeconds(60)).until(() -> atB.size() >= 2 && atA.size() >= 2 && atOfficer.size() >= 4);
    assertThat(atA).containsExactly("access-A-1", "access-A-2");
    assertThat(atB).containsExactly("access-B-1", "access-B-2");
    assertThat(atOfficer).containsExactly("access-A-1", "access-B-1", "access-B-2", "access-A-2");
  }

  @Test
  void anUnauthenticatedOrWrongPasswordClientIsRefused() {
    assertThatThrownBy(() -> connect(null, null)).isInstanceOf(MqttException.class);
    assertThatThrownBy(() -> connect("mgr-a", "wrong".toCharArray())).isInstanceOf(MqttException.class);
    assertThatThrownBy(() -> connect("nobody", MANAGER_PASSWORD)).isInstanceOf(MqttException.class);
  }

  @Test
  void aDevicePublishesOnlyUnderItsOwnId() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    MqttClient device = connect("dev-1", DEVICE_PASSWORD);
    assertThat(grantedQos(device, "city/#")).as("devices read nothing").isEqualTo(128);
    // The bridge forwards what the broker let through; an unusable payload still reaches the
    // dead-letter topic, keyed by the topic's device id, so every accepted publication is visible.
    device.publish("city/traffic/probe/dev-2", "{\"spoofed\":true}".getBytes(StandardCharsets.UTF_8), 0, false);
    device.publish("city/ack/some-alert", "{\"by\":\"dev-1\"}".getBytes(StandardCharsets.UTF_8), 0, false);
    device.publish("city/traffic/probe/dev-1", "{\"own\":true}".getBytes(StandardCharsets.UTF_8), 1, false);
    List<ConsumerRecord<String, byte[]>> letters = readUntil(Topics.DEADLETTER,
        r -> DeadLetter.fromJson(r.value()).topic().equals("city/traffic/probe/dev-1"));
    assertThat(letters).extracting(r -> DeadLetter.fromJson(r.value()).topic())
        .doesNotContain("city/traffic/probe/dev-2", "city/ack/some-alert");
  }

  @Test
  void anAlertReachesTheWebhookAndTheStoreAndAWebhookThatGivesUpLeavesADeadLetter() throws Exception {
    send(alert("hook-1", "c-A"));

    await().atMost(Duration.ofSeconds(60)).until(() -> received.stream().anyMatch(b -> b.contains("\"hook-1\"")));
    List<ConsumerRecord<String, byte[]>> letters = readUntil(Topics.DEADLETTER, r -> "hook-1".equals(r.key()));
    DeadLetter letter = DeadLetter.fromJson(letters.get(letters.size() - 1).value());
    assertThat(letter.reason()).isEqualTo("webhook-failed");
    assertThat(letter.stage()).isEqualTo("dispatch");
    assertThat(letter.detail()).startsWith("POST http://127.0.0.1:" + receiver.getAddress().getPort()
        + "/down failed after 3 attempts, last: HTTP 503").doesNotContain("s3cret");
    assertThat(Alert.fromJson(letter.rawPayload()).alertId()).isEqualTo("hook-1");

    await().atMost(Duration.ofSeconds(60)).until(() -> !store.query("SELECT * FROM alert WHERE alert_id = 'hook-1'").isEmpty());
    assertThat(store.query("SELECT kind, severity, district, community, state, message, cast(timestamp AS LONG) ts "
        + "FROM alert WHERE alert_id = 'hook-1'")).containsExactly(Map.of("kind", "sos", "severity", "critical",
        "district", DISTRICT, "community", "c-A", "state", "raised", "message", "SOS 求助 / SOS call",
        "ts", T0 * 1000));
    // The dispatcher's stage of the pipeline measurement (issue 21): alerts in, delivered out, dead letters.
    await().atMost(Duration.ofSeconds(60)).until(() -> store.query(
        "SELECT sum(events_out) o FROM pipeline WHERE stage = 'dispatch'").get(0).get("o") instanceof Number n && n.longValue() > 0);
  }

  @Test
  void somethingThatIsNotAnAlertGoesToTheDeadLetterTopic() throws Exception {
    producer.send(new ProducerRecord<>(Topics.ALERTS, "not-an-alert", "{oops".getBytes(StandardCharsets.UTF_8))).get();
    List<ConsumerRecord<String, byte[]>> letters = readUntil(Topics.DEADLETTER, r -> "not-an-alert".equals(r.key()));
    assertThat(DeadLetter.fromJson(letters.get(letters.size() - 1).value()).reason()).isEqualTo("bad-alert");
  }

  @Test
  void anAcknowledgementPublishedByAManagerReachesCityAcks() throws Exception {
    MqttClient a = connect("mgr-a", MANAGER_PASSWORD);
    // The bridge refuses acknowledgements older than bridge.max-reading-age (2 h) against its own clock.
    long ackTs = System.currentTimeMillis() - 60_000;
    a.publish("city/ack/ack-1", ("{\"by\":\"mgr-a\",\"ts\":" + ackTs + "}").getBytes(StandardCharsets.UTF_8), 1, false);
    List<ConsumerRecord<String, byte[]>> acks = readUntil(Topics.ACKS, r -> "ack-1".equals(r.key()));
    String ack = new String(acks.get(acks.size() - 1).value(), StandardCharsets.UTF_8);
    assertThat(ack).contains("\"alertId\":\"ack-1\"", "\"by\":\"mgr-a\"", "\"ts\":" + ackTs);
  }

  private static Alert alert(String id, String community) {
    return new Alert(id, "sos", Alert.SEVERITY_CRITICAL, Alert.STATE_RAISED, DISTRICT, community, 30.2445, 120.1445, T0,
        "SOS 求助 / SOS call", null, null, null);
  }

  private static void send(Alert a) throws Exception {
    producer.send(new ProducerRecord<>(Topics.ALERTS, a.community(), a.toJson())).get(30, TimeUnit.SECONDS);
  }

  private static MqttClient connect(String user, char[] password) throws MqttException {
    MqttClient c = new MqttClient(broker.url(), user + "-it-" + clients.size(), new MemoryPersistence());
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

  /** Reads {@code topic} from the start until a record matches; returns everything read. */
  private static List<ConsumerRecord<String, byte[]>> readUntil(String topic, Predicate<ConsumerRecord<String, byte[]>> done) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      // One partition each (created above); no group needed to read it from the start.
      TopicPartition partition = new TopicPartition(topic, 0);
      c.assign(List.of(partition));
      c.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          all.add(r);
          if (done.test(r)) {
            return all;
          }
        }
      }
    }
    throw new AssertionError("no matching record in " + topic + " within 60 s; read " + all.size());
  }
}
