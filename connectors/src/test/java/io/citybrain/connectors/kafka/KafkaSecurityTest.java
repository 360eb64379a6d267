package io.citybrain.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

  private static final Map<String, String> CREDENTIALS =
      Map.of(KafkaSecurity.USERNAME_ENV, "bridge", KafkaSecurity.PASSWORD_ENV, "s3cret-Pw");

  @TempDir Path dir;

  private static KafkaSecurity from(
      String prefix, Map<String, String> settings, Map<String, String> env) {
    return KafkaSecurity.from(prefix, settings::get, env);
  }

  @Test
  void noKeysMeanNoClientPropertiesAtAll() {
    KafkaSecurity none = from("", Map.of(), Map.of());
    assertThat(none.protocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
    assertThat(none.clientProperties()).isEmpty();
    assertThat(none).isEqualTo(KafkaSecurity.NONE);
    assertThat(KafkaClients.reliableProducer("k:9092", "c"))
        .isEqualTo(KafkaClients.reliableProducer("k:9092", "c", none));
  }

  @Test
  void saslSslWithScramAndATruststoreGivesKafkasOwnProperties() throws IOException {
    Path ca = Files.write(dir.resolve("ca.p12"), new byte[] {1});
    Map<String, String> env = new HashMap<>(CREDENTIALS);
    env.put(KafkaSecurity.TRUSTSTORE_PASSWORD_ENV, "ca-pw");
    KafkaSecurity s =
        from(
            "bridge.",
            Map.of(
                "bridge.kafka.security.protocol", "sasl_ssl",
                "bridge.kafka.sasl.mechanism", "SCRAM-SHA-512",
                "bridge.kafka.ssl.truststore.location", ca.toString(),
                "bridge.kafka.ssl.truststore.type", "PKCS12"),
            env);

    assertThat(s.clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", ca.toAbsolutePath().toString())
        .containsEntry("ssl.truststore.type", "PKCS12")
        .containsEntry("ssl.truststore.password", "ca-pw");
    AppConfigurationEntry login = parsed(s.clientProperties().get(SaslConfigs.SASL_JAAS_CONFIG));
    assertThat(login.getLoginModuleName()).isEqualTo(ScramLoginModule.class.getName());
    assertThat(login.getControlFlag())
        .isEqualTo(AppConfigurationEntry.LoginModuleControlFlag.REQUIRED);
    assertThat(options(login))
        .containsEntry("username", "bridge")
        .containsEntry("password", "s3cret-Pw");
    // The producer's own settings stay; security is added to them.
    Properties p = KafkaClients.reliableProducer("k:9093", "c", s);
    assertThat(p)
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void aPasswordWithQuotesBackslashesAndLineBreaksSurvivesKafkasJaasParser() {
    String nasty = "a\"b\\c d;e=f\ng'h";
    KafkaSecurity s =
        from(
            "",
            Map.of(
                "kafka.security.protocol",
                "SASL_PLAINTEXT",
                "kafka.sasl.mechanism",
                "PLAIN",
                "kafka.sasl.username",
                "u \"x\""),
            Map.of(KafkaSecurity.PASSWORD_ENV, nasty));
    AppConfigurationEntry login = parsed(s.clientProperties().get(SaslConfigs.SASL_JAAS_CONFIG));
    assertThat(login.getLoginModuleName()).isEqualTo(PlainLoginModule.class.getName());
    assertThat(options(login))
        .containsEntry("username", "u \"x\"")
        .containsEntry("password", nasty);
  }

  @Test
  void noSecretAppearsInToString() {
    KafkaSecurity s =
        from(
            "",
            Map.of(
                "kafka.security.protocol",
                "SASL_PLAINTEXT",
                "kafka.sasl.mechanism",
                "SCRAM-SHA-256"),
            CREDENTIALS);
    assertThat(s.toString())
        .contains("SASL_PLAINTEXT", "SCRAM-SHA-256", "bridge")
        .doesNotContain("s3cret-Pw");
  }

  @Test
  void survivesJavaSerializationAsTheJobGraphNeeds() throws Exception {
    KafkaSecurity s =
        from(
            "",
            Map.of("kafka.security.protocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN"),
            CREDENTIALS);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      KafkaSecurity back = (KafkaSecurity) in.readObject();
      assertThat(back.clientProperties()).isEqualTo(s.clientProperties());
      assertThat(back.protocol()).isEqualTo(SecurityProtocol.SASL_PLAINTEXT);
    }
  }

  @Test
  void anUnknownProtocolFailsNamingTheKey() {
    assertThatThrownBy(
            () -> from("dispatch.", Map.of("dispatch.kafka.security.protocol", "TLS"), Map.of()))
        .hasMessage(
            "dispatch.kafka.security.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'");
  }

  @Test
  void saslWithoutMechanismOrCredentialsFailsNamingWhatIsMissing() {
    assertThatThrownBy(() -> from("", Map.of("kafka.security.protocol", "SASL_SSL"), CREDENTIALS))
        .hasMessage(
            "kafka.sasl.mechanism must be set when kafka.security.protocol is SASL_SSL "
                + "(one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)");
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "GSSAPI"),
                    CREDENTIALS))
        .hasMessage(
            "kafka.sasl.mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'");
    assertThatThrownBy(
            () ->
                from(
                    "bridge.",
                    Map.of(
                        "bridge.kafka.security.protocol",
                        "SASL_SSL",
                        "bridge.kafka.sasl.mechanism",
                        "PLAIN"),
                    Map.of(KafkaSecurity.PASSWORD_ENV, "pw")))
        .hasMessage(
            "bridge.kafka.sasl.username (or the environment variable CITYBRAIN_KAFKA_SASL_USERNAME) must be set "
                + "when bridge.kafka.security.protocol is SASL_SSL");
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SASL_SSL",
                        "kafka.sasl.mechanism",
                        "PLAIN",
                        "kafka.sasl.username",
                        "u"),
                    Map.of()))
        .hasMessage(
            "the environment variable CITYBRAIN_KAFKA_SASL_PASSWORD must hold the SASL password when "
                + "kafka.security.protocol is SASL_SSL");
  }

  @Test
  void saslSettingsWithoutASaslProtocolFail() {
    assertThatThrownBy(() -> from("", Map.of("kafka.sasl.mechanism", "PLAIN"), Map.of()))
        .hasMessage(
            "kafka.sasl.mechanism is set but kafka.security.protocol is PLAINTEXT: SASL needs SASL_PLAINTEXT or SASL_SSL");
    assertThatThrownBy(() -> from("", Map.of("kafka.security.protocol", "SSL"), CREDENTIALS))
        .hasMessageStartingWith(
            "the environment variable CITYBRAIN_KAFKA_SASL_PASSWORD is set but kafka.security.protocol is SSL");
  }

  @Test
  void secretsGivenAsSettingsAreRefusedNamingTheVariable() {
    assertThatThrownBy(() -> from("bridge.", Map.of("bridge.kafka.sasl.password", "pw"), Map.of()))
        .hasMessageStartingWith("bridge.kafka.sasl.password must not be given as a setting")
        .hasMessageEndingWith("set the environment variable CITYBRAIN_KAFKA_SASL_PASSWORD instead")
        .hasMessageNotContaining("pw'");
    assertThatThrownBy(() -> from("", Map.of("kafka.sasl.jaas.config", "x"), Map.of()))
        .hasMessageStartingWith("kafka.sasl.jaas.config must not be given as a setting");
    assertThatThrownBy(() -> from("", Map.of("kafka.ssl.truststore.password", "x"), Map.of()))
        .hasMessageEndingWith("CITYBRAIN_KAFKA_SSL_TRUSTSTORE_PASSWORD instead");
  }

  @Test
  void aMissingTruststoreOrKeystoreFailsNamingItsKey() throws IOException {
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SSL",
                        "kafka.ssl.truststore.location",
                        dir.resolve("absent.p12").toString()),
                    Map.of()))
        .hasMessage(
            "kafka.ssl.truststore.location is not a readable file: " + dir.resolve("absent.p12"));
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SSL",
                        "kafka.ssl.truststore.location",
                        dir.toString()),
                    Map.of()))
        .hasMessageStartingWith("kafka.ssl.truststore.location is not a readable file");
    Path ca = Files.write(dir.resolve("ca.pem"), new byte[] {1});
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SASL_PLAINTEXT",
                        "kafka.sasl.mechanism",
                        "PLAIN",
                        "kafka.ssl.truststore.location",
                        ca.toString()),
                    CREDENTIALS))
        .hasMessage(
            "kafka.ssl.truststore.location is set but kafka.security.protocol is SASL_PLAINTEXT: TLS needs SSL or SASL_SSL");
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SSL",
                        "kafka.ssl.truststore.location",
                        ca.toString(),
                        "kafka.ssl.truststore.type",
                        "P12"),
                    Map.of()))
        .hasMessage("kafka.ssl.truststore.type must be one of PKCS12, JKS, PEM, got 'P12'");
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of(
                        "kafka.security.protocol",
                        "SSL",
                        "kafka.ssl.truststore.location",
                        ca.toString(),
                        "kafka.ssl.truststore.type",
                        "PEM"),
                    Map.of(KafkaSecurity.TRUSTSTORE_PASSWORD_ENV, "x")))
        .hasMessageContaining("a PEM kafka.ssl.truststore.location takes no password");
    assertThatThrownBy(
            () ->
                from(
                    "",
                    Map.of("kafka.security.protocol", "SSL"),
                    Map.of(KafkaSecurity.TRUSTSTORE_PASSWORD_ENV, "x")))
        .hasMessage(
            "the environment variable CITYBRAIN_KAFKA_SSL_TRUSTSTORE_PASSWORD is set but kafka.ssl.truststore.location is not");
  }

  @Test
  void mutualTlsNeedsTheKeystorePasswordFromTheEnvironment() throws IOException {
    Path keystore = Files.write(dir.resolve("client.p12"), new byte[] {1});
    Map<String, String> settings =
        Map.of(
            "kafka.security.protocol",
            "SSL",
            "kafka.ssl.keystore.location",
            keystore.toString(),
            "kafka.ssl.keystore.type",
            "PKCS12");
    assertThatThrownBy(() -> from("", settings, Map.of()))
        .hasMessage(
            "the environment variable CITYBRAIN_KAFKA_SSL_KEYSTORE_PASSWORD must hold the password of "
                + "kafka.ssl.keystore.location");
    KafkaSecurity s =
        from(
            "",
            settings,
            Map.of(KafkaSecurity.KEYSTORE_PASSWORD_ENV, "ks", KafkaSecurity.KEY_PASSWORD_ENV, "k"));
    assertThat(s.clientProperties())
        .containsEntry("ssl.keystore.location", keystore.toAbsolutePath().toString())
        .containsEntry("ssl.keystore.password", "ks")
        .containsEntry("ssl.key.password", "k")
        .doesNotContainKey("sasl.mechanism");
    assertThat(s.toString()).doesNotContain("ks\"").contains("keystore=");
  }

  private static Map<String, Object> options(AppConfigurationEntry login) {
    return new HashMap<>(login.getOptions());
  }

  /** Read back the way a Kafka client reads its {@code sasl.jaas.config}. */
  private static AppConfigurationEntry parsed(String jaasLine) {
    JaasContext context =
        JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaasLine)));
    assertThat(context.configurationEntries()).hasSize(1);
    return context.configurationEntries().get(0);
  }
}
