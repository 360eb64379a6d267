package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a real broker with authentication and shared subscriptions can show: Mosquitto 2. */
class BridgeOnMosquittoITCase {

  private static final String USER = "bridge";
  private static final String PASSWORD = "s3cret-Pa55-never-logged";
  /** 2026-01-05T08:00:00Z */
  private static final long OBSERVED = 1_767_600_000_000L;

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    KafkaTopics.create(kafka.bootstrapServers());
    Path passwords = dir.resolve("passwd");
    Process p = new ProcessBuilder("mosquitto_passwd", "-c", "-b", passwords.toString(), USER, PASSWORD)
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("mosquitto_passwd").isTrue();
    broker = new TestBroker.Mosquitto(dir.resolve("mqtt"), List.of("allow_anonymous false", "password_file " + passwords));
  }

  @AfterAll
  static void stop() {
    broker.close();
    kafka.close();
  }

  private static BridgeSettings settings(String clientId, String subscription, String password) {
    return BridgeSettings.local(broker.url(), kafka.bootstrapServers()).instance(clientId, subscription)
        .withCredentials(USER, password.toCharArray());
  }

  @Test
  void aWrongPasswordFailsStartUpNamingTheUserButNeverThePassword() {
    String wrong = "wrong-" + PASSWORD;
    assertThatThrownBy(() -> MqttKafkaBridge.start(settings("auth-check", "city/#", wrong)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused bridge auth-check (user 'bridge')")
        .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong).doesNotContain(PASSWORD));
  }

  @Test
  void nInstancesShareTheLoadThroughASharedSubscriptionAndLoseNothing() throws Exception {
    int messages = 6_000;
    String subscription = "$share/citybrain-bridges/city/#";
    try (MqttKafkaBridge one = MqttKafkaBridge.start(settings("shared-1", subscription, PASSWORD));
         MqttKafkaBridge two = MqttKafkaBridge.start(settings("shared-2", subscription, PASSWORD));
         KafkaConsumer<String, byte[]> consumer = KafkaTopics.consumer(kafka.bootstrapServers(), List.of(Topics.RAW_EMERGENCY))) {
      QosOnePublisher publisher = new QosOnePublisher(broker.url(), "shared-publisher", messages,
          QosOnePublisher.floodTopic("s-"), QosOnePublisher.floodReading(OBSERVED), 500, 120_000).as(USER, PASSWORD);
      publisher.run();
      assertThat(publisher.failure()).isNull();
      Set<String> distinct = new HashSet<>();
      KafkaTopics.pollUntil(consumer, r -> {
        if (r.key().startsWith("s-")) {
          distinct.add(r.key());
        }
      }, () -> distinct.size() >= messages, 120_000);
      assertThat(distinct).hasSize(messages);
      assertThat(one.metrics().snapshot().forwarded()).isPositive();
      assertThat(two.metrics().snapshot().forwarded()).isPositive();
      assertThat(one.metrics().snapshot().forwarded() + two.metrics().snapshot().forwarded()).isGreaterThanOrEqualTo(messages);
    }
  }

  private static String stackTrace(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
