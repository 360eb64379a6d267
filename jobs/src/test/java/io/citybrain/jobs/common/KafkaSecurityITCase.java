package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.bridge.BridgeSettings;
import io.citybrain.connectors.bridge.MqttKafkaBridge;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.kafka.KafkaAccess;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.jobs.traffic.Collected;
import io.citybrain.jobs.traffic.DistrictTraffic;
import io.citybrain.jobs.traffic.GeoSegmentMatcher;
import io.citybrain.jobs.traffic.SegmentTraffic;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.testkit.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka with authentication, through the real parts: the embedded KRaft broker with a SCRAM-SHA-512
 * listener and a user created over the admin API (as Strimzi's user operator does), Moquette, the
 * bridge and the traffic job on a MiniCluster, each configured only through its settings keys and
 * the {@code CITYBRAIN_KAFKA_*} environment. A probe fix off every road crosses MQTT → bridge →
 * {@code city.raw.traffic} → job → {@code city.deadletter} (reason {@code unmatched}), every Kafka
 * hop authenticated; a bridge with a wrong password stops at start naming Kafka's refusal.
 */
class KafkaSecurityITCase {

  private static final String BRIDGE_USER = KafkaAccess.Client.BRIDGE.user();
  private static final String JOBS_USER = KafkaAccess.Client.JOBS.user();

  /** A quote and a backslash: the JAAS line must carry them to the broker intact. */
  private static final String PASSWORD = "scram-\"Pa55\\word";

  private static final String JOBS_PASSWORD = "jobs-secret";
  private static final String DEVICE = "probe-secured-1";

  @Test
  void
      theBridgeAndAJobReadAndWriteThroughScramUnderTheirGrantsOnlyAndAWrongPasswordStopsTheBridgeAtStart(
          @TempDir Path dir) throws Exception {
    // Authorization as on the production Kafka (Strimzi's simple authorization is this authorizer):
    // only the plain listener's ANONYMOUS, which the test uses to create users and read back, is a
    // super user.
    try (EmbeddedKafka kafka =
            EmbeddedKafka.startWithSaslListener(
                dir.resolve("kafka"),
                Map.of(
                    "authorizer.class.name",
                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                    "super.users", "User:ANONYMOUS"));
        EmbeddedMqttBroker mqtt = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0)) {
      createTopics(kafka.bootstrapServers());
      kafka.addScramUser("SCRAM-SHA-512", BRIDGE_USER, PASSWORD);
      kafka.addScramUser("SCRAM-SHA-512", JOBS_USER, JOBS_PASSWORD);
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        List<AclBinding> acls =
            new ArrayList<>(KafkaAccess.bindings(KafkaAccess.Client.BRIDGE, BRIDGE_USER));
        acls.addAll(KafkaAccess.bindings(KafkaAccess.Client.JOBS, JOBS_USER));
        admin.createAcls(acls).all().get();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    admin.describeAcls(AclBindingFilter.ANY).values().get().size() == acls.size());
      }
      String secured = kafka.saslBootstrapServers();
      Map<String, String> env =
          Map.of(KafkaSecurity.USERNAME_ENV, BRIDGE_USER, KafkaSecurity.PASSWORD_ENV, PASSWORD);

      assertThatThrownBy(
              () ->
                  MqttKafkaBridge.start(
                      bridge(
                          mqtt.url(),
                          secured,
                          Map.of(
                              KafkaSecurity.USERNAME_ENV,
                              BRIDGE_USER,
                              KafkaSecurity.PASSWORD_ENV,
                              "wrong"))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("refused access")
          .hasMessageContaining("SCRAM-SHA-512")
          .hasMessageNotContaining("wrong")
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);

      JobSettings s =
          JobSettings.fromArgs(
              new String[] {
                "--kafka.bootstrap-servers",
                secured,
                "--kafka.security.protocol",
                "SASL_PLAINTEXT",
                "--kafka.sasl.mechanism",
                "SCRAM-SHA-512",
                "--influx.url",
                "http://unused:8086",
                "--influx.token",
                "unused"
              },
              Map.of(
                  KafkaSecurity.USERNAME_ENV,
                  JOBS_USER,
                  KafkaSecurity.PASSWORD_ENV,
                  JOBS_PASSWORD));
      KafkaSecurity bridgeSecurity =
          KafkaSecurity.from(
              "",
              Map.of(
                      "kafka.security.protocol",
                      "SASL_PLAINTEXT",
                      "kafka.sasl.mechanism",
                      "SCRAM-SHA-512")
                  ::get,
              env);
      assertBridgeUserMayNeitherReadNorForgeAlerts(secured, bridgeSecurity);
      assertThatThrownBy(() -> send(secured, s.kafkaSecurity(), Topics.RAW_TRAFFIC))
          .as("the jobs' user cannot forge a reading")
          .hasRootCauseInstanceOf(TopicAuthorizationException.class);
      try (KafkaProbe probe = new KafkaProbe(secured, bridgeSecurity, "probe-it")) {
        assertThat(probe.problem()).as("the bridge's readiness probe under its grants").isEmpty();
      }
      JobClient job = startTrafficJob(s);
      try (MqttKafkaBridge bridge = MqttKafkaBridge.start(bridge(mqtt.url(), secured, env))) {
        long ts = System.currentTimeMillis() - 60_000;
        // The Gulf of Guinea: a valid WGS84 position (the bridge forwards it), on no road of the
        // city.
        publish(
            mqtt.url(),
            "city/traffic/probe/" + DEVICE,
            "{\"ts\":" + ts + ",\"lat\":0.5,\"lon\":0.5,\"speedKmh\":40,\"headingDeg\":90}");
        // The job hands a reading on once the watermark passed it (event-time order): a second
        // reading 10 s later moves the watermark past the first; the second one waits.
        publish(
            mqtt.url(),
            "city/traffic/probe/" + DEVICE,
            "{\"ts\":"
                + (ts + 10_000)
                + ",\"lat\":0.5,\"lon\":0.5001,\"speedKmh\":40,\"headingDeg\":90}");

        // Read back as the super user: neither client may read what it writes.
        String plain = kafka.bootstrapServers();
        KafkaSecurity security = KafkaSecurity.NONE;
        List<ConsumerRecord<String, byte[]>> raw = records(plain, security, Topics.RAW_TRAFFIC, 2);
        assertThat(raw).hasSize(2).allSatisfy(r -> assertThat(r.key()).isEqualTo(DEVICE));
        List<ConsumerRecord<String, byte[]>> dead = records(plain, security, Topics.DEADLETTER, 1);
        assertThat(dead)
            .singleElement()
            .satisfies(
                r -> {
                  DeadLetter d = DeadLetter.fromJson(r.value());
                  assertThat(d.reason()).isEqualTo("unmatched");
                  assertThat(d.stage()).isEqualTo("traffic");
                  assertThat(d.key()).isEqualTo(DEVICE);
                  assertThat(d.topic()).isEqualTo(Topics.RAW_TRAFFIC);
                });
      } finally {
        job.cancel().get();
      }
    }
  }

  /**
   * The bridge's user may not read alerts, nor write one: a stolen bridge password cannot raise a
   * fire.
   */
  private static void assertBridgeUserMayNeitherReadNorForgeAlerts(
      String bootstrap, KafkaSecurity bridge) {
    Properties p = bridge.applyTo(new Properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(List.of(new TopicPartition(Topics.ALERTS, 0)));
      consumer.seekToBeginning(consumer.assignment());
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 50; i++) {
                  consumer.poll(Duration.ofMillis(200));
                }
              })
          .as("the bridge's user reading city.alerts")
          .isInstanceOf(TopicAuthorizationException.class);
    }
    assertThatThrownBy(() -> send(bootstrap, bridge, Topics.ALERTS))
        .as("the bridge's user writing city.alerts")
        .hasRootCauseInstanceOf(TopicAuthorizationException.class);
  }

  private static void send(String bootstrap, KafkaSecurity security, String topic)
      throws Exception {
    Properties p = security.applyTo(new Properties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer
          .send(new ProducerRecord<>(topic, "forged", "{}"))
          .get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static BridgeSettings bridge(String mqttUrl, String kafka, Map<String, String> env) {
    Properties p = new Properties();
    p.setProperty("bridge.mqtt.url", mqttUrl);
    p.setProperty(
        "bridge.mqtt.client-id", "bridge-sec-" + UUID.randomUUID().toString().substring(0, 8));
    p.setProperty("bridge.kafka.bootstrap-servers", kafka);
    p.setProperty("bridge.kafka.security.protocol", "SASL_PLAINTEXT");
    p.setProperty("bridge.kafka.sasl.mechanism", "SCRAM-SHA-512");
    return BridgeSettings.fromProperties(p, env);
  }

  /**
   * The traffic job as {@code fromSettings} wires it, with collecting sinks in place of the store.
   */
  private static JobClient startTrafficJob(JobSettings s) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
    JobEnvironment.configure(env, s);
    new TrafficJob(
            KafkaIo.source(
                s.kafkaBootstrap(), s.kafkaSecurity(), TrafficJob.NAME, Topics.RAW_TRAFFIC),
            Collected.<SegmentTraffic>into("secured-segments"),
            Collected.<DistrictTraffic>into("secured-districts"),
            KafkaIo.alertSink(s.kafkaBootstrap(), s.kafkaSecurity()),
            KafkaIo.deadLetterSink(s.kafkaBootstrap(), s.kafkaSecurity()),
            new GeoSegmentMatcher(s.city()),
            s)
        .build(env);
    return env.executeAsync("kafka-security-it");
  }

  private static void publish(String url, String topic, String payload) throws Exception {
    MqttClient device =
        new MqttClient(
            url, "device-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    device.connect(o);
    device.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    device.disconnect();
    device.close();
  }

  /**
   * Reads {@code topic} from the start through the secured listener until {@code count} records
   * came.
   */
  private static List<ConsumerRecord<String, byte[]>> records(
      String bootstrap, KafkaSecurity security, String topic, int count) {
    Properties p = security.applyTo(new Properties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaRecords r = KafkaRecords.of(p, topic)) {
      r.until(read -> read.size() >= count, Duration.ofSeconds(45));
      // Nothing beyond what was expected turns up in a further poll.
      return r.during(Duration.ofMillis(500));
    }
  }

  private static void createTopics(String plainBootstrap) throws Exception {
    ContractTopics.create(plainBootstrap, t -> 1, (short) 1);
  }
}
