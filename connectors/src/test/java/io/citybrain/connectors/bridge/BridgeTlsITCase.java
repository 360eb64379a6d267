package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.bridge.BridgeSettings.MqttVersion;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bridge's broker connection over TLS, end to end: Mosquitto with a TLS listener that also
 * requires a client certificate, all certificates made by openssl for this run (a test CA, the
 * broker's certificate for 127.0.0.1, the bridge's client certificate in a PKCS12 keystore, and a
 * second, unrelated CA). Devices publish on the broker's plain listener; the bridge reads over TLS.
 */
class BridgeTlsITCase {

  private static final String KEYSTORE_PASSWORD = "client-p12-Secret-77";

  /**
   * 2026-01-05T08:00:00Z: a recorded instant, so the bridges here run with bridge.max-reading-age
   * off.
   */
  private static final long OBSERVED = 1_767_600_000_000L;

  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static TestBroker broker;
  private static Path pki;
  private static int tlsPort;

  @BeforeAll
  static void start() throws Exception {
    pki = Files.createDirectories(dir.resolve("pki"));
    makeCertificates(pki);
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    KafkaTopics.create(kafka.bootstrapServers());
    tlsPort = FreePorts.resolve(0);
    broker =
        new TestBroker.Mosquitto(
            dir.resolve("mqtt"),
            List.of(
                "allow_anonymous true",
                "listener " + tlsPort + " 127.0.0.1",
                "cafile " + pki.resolve("ca.pem"),
                "certfile " + pki.resolve("server.pem"),
                "keyfile " + pki.resolve("server.key"),
                "require_certificate true"));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static BridgeSettings tls(String clientId, Path ca, MqttVersion version) {
    return new BridgeSettings(
        "ssl://127.0.0.1:" + tlsPort,
        clientId,
        null,
        null,
        kafka.bootstrapServers(),
        "city/#",
        BridgeSettings.DEFAULT_MAX_IN_FLIGHT,
        null,
        null,
        200,
        2_000,
        version,
        BridgeSettings.SESSION_NEVER_EXPIRES,
        ca,
        pki.resolve("client.p12"),
        KEYSTORE_PASSWORD.toCharArray(),
        null,
        null,
        IngestValidator.NO_AGE_LIMIT,
        null);
  }

  @ParameterizedTest(name = "MQTT {0}")
  @EnumSource(MqttVersion.class)
  void readingsFlowOverTlsWithAClientCertificate(MqttVersion version) throws Exception {
    int messages = 2_000;
    String prefix = "t" + version.ordinal() + "-";
    try (MqttKafkaBridge bridge =
            MqttKafkaBridge.start(
                tls("tls-bridge-v" + version.ordinal(), pki.resolve("ca.pem"), version));
        KafkaConsumer<String, byte[]> consumer =
            KafkaTopics.consumer(kafka.bootstrapServers(), List.of(Topics.RAW_EMERGENCY))) {
      QosOnePublisher publisher =
          new QosOnePublisher(
              broker.url(),
              "tls-publisher-" + version.ordinal(),
              messages,
              QosOnePublisher.floodTopic(prefix),
              QosOnePublisher.floodReading(OBSERVED),
              200,
              120_000);
      publisher.run();
      assertThat(publisher.failure()).isNull();
      assertThat(KafkaTopics.distinctKeys(consumer, prefix, messages, 120_000)).hasSize(messages);
      // A record is readable once Kafka commits it, which can be before the bridge's producer hears
      // so.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(bridge.metrics().snapshot().forwarded())
                      .isGreaterThanOrEqualTo(messages));
    }
  }

  @ParameterizedTest(name = "MQTT {0}")
  @EnumSource(MqttVersion.class)
  void aBrokerCertificateFromAnotherCaIsRefusedAtStartUpWithAClearError(MqttVersion version) {
    assertThatThrownBy(
            () ->
                MqttKafkaBridge.start(
                    tls(
                        "tls-wrong-ca-v" + version.ordinal(),
                        pki.resolve("other-ca.pem"),
                        version)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "refused bridge tls-wrong-ca-v" + version.ordinal() + ": TLS handshake failed")
        .hasMessageContaining("bridge.mqtt.tls.ca-file")
        .message()
        .doesNotContain(KEYSTORE_PASSWORD);
  }

  @Test
  void aBridgeWithoutAClientCertificateIsRefusedByABrokerThatRequiresOne() {
    BridgeSettings noClientCert =
        new BridgeSettings(
            "ssl://127.0.0.1:" + tlsPort,
            "tls-no-cert",
            null,
            null,
            kafka.bootstrapServers(),
            "city/#",
            100,
            null,
            null,
            200,
            2_000,
            MqttVersion.V3_1_1,
            BridgeSettings.SESSION_NEVER_EXPIRES,
            pki.resolve("ca.pem"),
            null,
            null,
            null,
            null,
            null,
            null);
    assertThatThrownBy(() -> MqttKafkaBridge.start(noClientCert))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls-no-cert");
  }

  /** A CA, the broker's certificate (SAN 127.0.0.1) and the bridge's, and an unrelated CA. */
  private static void makeCertificates(Path d) throws IOException, InterruptedException {
    Files.writeString(d.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
        d,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=citybrain-test-ca");
    openssl(
        d,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other-ca.key",
        "-out",
        "other-ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=some-other-ca");
    openssl(
        d,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    openssl(
        d,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext");
    openssl(
        d,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=bridge");
    openssl(
        d,
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.pem",
        "-days",
        "2");
    openssl(
        d,
        "pkcs12",
        "-export",
        "-in",
        "client.pem",
        "-inkey",
        "client.key",
        "-out",
        "client.p12",
        "-passout",
        "pass:" + KEYSTORE_PASSWORD);
  }

  private static void openssl(Path d, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(d.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("openssl %s: %s", args[0], out)
        .isTrue();
  }
}
