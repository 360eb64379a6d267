package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.bridge.BridgeSettings.MqttVersion;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What only a real broker with authentication and shared subscriptions can show: Mosquitto 2, with
 * the bridge speaking MQTT 3.1.1 and MQTT 5.
 */
class BridgeOnMosquittoITCase {

  private static final String USER = "bridge";
  private static final String PASSWORD = "s3cret-Pa55-never-logged";

  /**
   * 2026-01-05T08:00:00Z: a recorded instant, so the bridges here run with bridge.max-reading-age
   * off.
   */
  private static final long OBSERVED = 1_767_600_000_000L;

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    KafkaTopics.create(kafka.bootstrapServers());
    Path passwords = dir.resolve("passwd");
    Process p =
        new ProcessBuilder("mosquitto_passwd", "-c", "-b", passwords.toString(), USER, PASSWORD)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("mosquitto_passwd")
        .isTrue();
    broker =
        new TestBroker.Mosquitto(
            dir.resolve("mqtt"), List.of("allow_anonymous false", "password_file " + passwords));
  }

  @AfterAll
  static void stop() {
    broker.close();
    kafka.close();
  }

  private static BridgeSettings settings(
      String clientId, String subscription, String password, MqttVersion version) {
    return BridgeSettings.local(broker.url(), kafka.bootstrapServers()).toBuilder()
        .instance(clientId + "-v" + version.ordinal(), subscription)
        .credentials(USER, password.toCharArray())
        .mqttVersion(version)
        .maxReadingAge(IngestValidator.NO_AGE_LIMIT)
        .build();
  }

  @ParameterizedTest(name = "MQTT {0}")
  @EnumSource(MqttVersion.class)
  void aWrongPasswordFailsStartUpNamingTheUserButNeverThePassword(MqttVersion version) {
    String wrong = "wrong-" + PASSWORD;
    assertThatThrownBy(
            () -> MqttKafkaBridge.start(settings("auth-check", "city/#", wrong, version)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "refused bridge auth-check-v" + version.ordinal() + " (user 'bridge')")
        .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong).doesNotContain(PASSWORD));
  }

  /** The whole output of a bridge process (its log and its last words) never shows the password. */
  @ParameterizedTest(name = "MQTT {0}")
  @EnumSource(MqttVersion.class)
  void aRefusedBridgeProcessLogsNeitherTheWrongNorTheRightPassword(MqttVersion version)
      throws Exception {
    String wrong = "wrong-" + PASSWORD;
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=log4j2-test.properties",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dbridge.mqtt.url=" + broker.url(),
                "-Dbridge.mqtt.client-id=log-check-v" + version.ordinal(),
                "-Dbridge.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dbridge.mqtt.username=" + USER,
                "-Dbridge.mqtt.version=" + version.key(),
                BridgeMain.class.getName())
            .redirectErrorStream(true);
    pb.environment().put("CITYBRAIN_BRIDGE_MQTT_PASSWORD", wrong);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the refused bridge exits").isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(output)
        .contains("refused bridge log-check-v" + version.ordinal())
        .doesNotContain(wrong)
        .doesNotContain(PASSWORD);
  }

  @ParameterizedTest(name = "MQTT {0}")
  @EnumSource(MqttVersion.class)
  void nInstancesShareTheLoadThroughASharedSubscriptionAndLoseNothing(MqttVersion version)
      throws Exception {
    int messages = 6_000;
    String prefix = "s" + version.ordinal() + "-";
    String subscription = "$share/citybrain-bridges-v" + version.ordinal() + "/city/#";
    try (MqttKafkaBridge one =
            MqttKafkaBridge.start(settings("shared-1", subscription, PASSWORD, version));
        MqttKafkaBridge two =
            MqttKafkaBridge.start(settings("shared-2", subscription, PASSWORD, version));
        KafkaConsumer<String, byte[]> consumer =
            KafkaTopics.consumer(kafka.bootstrapServers(), List.of(Topics.RAW_EMERGENCY))) {
      QosOnePublisher publisher =
          new QosOnePublisher(
                  broker.url(),
                  "shared-publisher",
                  messages,
                  QosOnePublisher.floodTopic(prefix),
                  QosOnePublisher.floodReading(OBSERVED),
                  500,
                  120_000)
              .as(USER, PASSWORD);
      publisher.run();
      assertThat(publisher.failure()).isNull();
      assertThat(KafkaTopics.distinctKeys(consumer, prefix, messages, 120_000)).hasSize(messages);
      // A record is readable once Kafka commits it, which can be before the bridge's producer hears
      // so.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(one.metrics().snapshot().forwarded()).isPositive();
                assertThat(two.metrics().snapshot().forwarded()).isPositive();
                assertThat(
                        one.metrics().snapshot().forwarded() + two.metrics().snapshot().forwarded())
                    .isGreaterThanOrEqualTo(messages);
              });
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
