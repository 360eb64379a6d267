package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeSettingsTest {

  private static final String SECRET = "hunter2-very-secret";

  private static Properties valid() {
    Properties p = new Properties();
    p.setProperty("bridge.mqtt.url", "tcp://broker:1883");
    p.setProperty("bridge.mqtt.client-id", "bridge-1");
    p.setProperty("bridge.kafka.bootstrap-servers", "kafka:9092");
    return p;
  }

  private static Properties with(String key, String value) {
    Properties p = valid();
    p.setProperty(key, value);
    return p;
  }

  @Test
  void defaultsApplyWhenOnlyTheRequiredKeysAreSet() {
    BridgeSettings s = BridgeSettings.fromProperties(valid());
    assertThat(s.subscription()).isEqualTo("city/#");
    assertThat(s.maxInFlight()).isEqualTo(BridgeSettings.DEFAULT_MAX_IN_FLIGHT);
    assertThat(s.username()).isNull();
    assertThat(s.mqttVersion()).isEqualTo(BridgeSettings.MqttVersion.V3_1_1);
    assertThat(s.sessionExpirySeconds()).isEqualTo(BridgeSettings.SESSION_NEVER_EXPIRES);
  }

  @Test
  void theMqttVersionIsThreeOneOneOrFiveAndAnMqtt5SessionMustOutliveADisconnect() {
    assertThat(BridgeSettings.fromProperties(with("bridge.mqtt.version", "5")).mqttVersion())
        .isEqualTo(BridgeSettings.MqttVersion.V5);
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.mqtt.version", "3")))
        .hasMessage("bridge.mqtt.version must be 3.1.1 or 5, got '3'");
    assertThatThrownBy(
            () -> BridgeSettings.fromProperties(with("bridge.mqtt.session-expiry-s", "0")))
        .hasMessageStartingWith("bridge.mqtt.session-expiry-s must be in 1..4294967295");
    assertThatThrownBy(
            () -> BridgeSettings.fromProperties(with("bridge.mqtt.session-expiry-s", "4294967296")))
        .hasMessageStartingWith("bridge.mqtt.session-expiry-s must be in 1..4294967295");
  }

  @Test
  void tlsFilesNeedAnSslUrlAndNameTheirKeys(@TempDir Path dir) throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    Properties ssl = with("bridge.mqtt.url", "ssl://broker:8883");
    assertThatThrownBy(
            () -> BridgeSettings.fromProperties(with("bridge.mqtt.tls.ca-file", ca.toString())))
        .hasMessage("bridge.mqtt.tls.ca-file is set but bridge.mqtt.url is not ssl://");
    ssl.setProperty("bridge.mqtt.keystore.path", dir.toString());
    assertThatThrownBy(() -> BridgeSettings.fromProperties(ssl))
        .hasMessage("bridge.mqtt.keystore.path is not a readable file: " + dir);
    ssl.remove("bridge.mqtt.keystore.path");
    ssl.setProperty("bridge.mqtt.keystore.password", SECRET);
    assertThatThrownBy(() -> BridgeSettings.fromProperties(ssl))
        .hasMessage("bridge.mqtt.keystore.password is set but bridge.mqtt.keystore.path is not");
    ssl.remove("bridge.mqtt.keystore.password");
    ssl.setProperty("bridge.mqtt.tls.ca-file", ca.toString());
    ssl.setProperty("bridge.mqtt.truststore.path", ca.toString());
    assertThatThrownBy(() -> BridgeSettings.fromProperties(ssl))
        .hasMessage(
            "bridge.mqtt.tls.ca-file and bridge.mqtt.truststore.path are both set: use one");
    ssl.remove("bridge.mqtt.truststore.path");
    // Readable but not PEM: refused when the bridge starts, before any connection, naming the key.
    BridgeSettings notPem = BridgeSettings.fromProperties(ssl);
    assertThatThrownBy(() -> BridgeTls.sslConfig(notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bridge.mqtt.tls.ca-file " + ca);
  }

  @Test
  void aKeystoreWithAWrongPasswordIsRefusedNamingTheKeyButNotThePassword(@TempDir Path dir)
      throws Exception {
    Path store = dir.resolve("client.p12");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (var out = Files.newOutputStream(store)) {
      ks.store(out, "right-password".toCharArray());
    }
    Properties ssl = with("bridge.mqtt.url", "ssl://broker:8883");
    ssl.setProperty("bridge.mqtt.keystore.path", store.toString());
    ssl.setProperty("bridge.mqtt.keystore.password", SECRET);
    BridgeSettings s = BridgeSettings.fromProperties(ssl);
    assertThatThrownBy(() -> BridgeTls.sslConfig(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bridge.mqtt.keystore.path "
                + store
                + " cannot be opened with bridge.mqtt.keystore.password")
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void theMaximumReadingAgeIsTwoHoursByDefaultAnIsoDurationOrZeroForNoLimit() {
    assertThat(BridgeSettings.fromProperties(valid()).maxReadingAge())
        .isEqualTo(java.time.Duration.ofHours(2))
        .isEqualTo(io.citybrain.connectors.envelope.IngestValidator.DEFAULT_MAX_AGE);
    assertThat(BridgeSettings.local("tcp://b:1883", "k:9092").maxReadingAge())
        .isEqualTo(java.time.Duration.ofHours(2));
    assertThat(
            BridgeSettings.fromProperties(with("bridge.max-reading-age", " PT30M "))
                .maxReadingAge())
        .isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(
            BridgeSettings.fromProperties(with("bridge.max-reading-age", "P1DT1H")).maxReadingAge())
        .isEqualTo(java.time.Duration.ofHours(25));
    // Off: both spellings, and the record's own toString (PT0S) round-trips, as ChildBridge passes
    // it.
    for (String off : new String[] {"0", "PT0S", java.time.Duration.ZERO.toString()}) {
      assertThat(BridgeSettings.fromProperties(with("bridge.max-reading-age", off)).maxReadingAge())
          .as(off)
          .isZero();
    }
    assertThat(
            BridgeSettings.local("tcp://b:1883", "k:9092")
                .withMaxReadingAge(java.time.Duration.ZERO)
                .toString())
        .contains("maxReadingAge=no limit");
    // A null component takes the default, like kafkaSecurity.
    assertThat(
            BridgeSettings.local("tcp://b:1883", "k:9092").withMaxReadingAge(null).maxReadingAge())
        .isEqualTo(java.time.Duration.ofHours(2));
  }

  @Test
  void aWrongMaximumReadingAgeNamesItsKey() {
    for (String bad :
        new String[] {
          "2h", "7200", "PT", "-PT1H", "forever", "PT0.0001S", "PT99999999999999999H"
        }) {
      assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.max-reading-age", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bridge.max-reading-age must be");
    }
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.max-reading-age", "2h")))
        .hasMessage(
            "bridge.max-reading-age must be an ISO-8601 duration such as PT2H, or 0 for no limit, got '2h'");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.max-reading-age", "-PT1H")))
        .hasMessage(
            "bridge.max-reading-age must be 0 (no limit) or a positive duration, got PT-1H");
  }

  @Test
  void eachBadValueNamesItsKey() {
    Properties noUrl = valid();
    noUrl.remove("bridge.mqtt.url");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(noUrl))
        .hasMessage("bridge.mqtt.url must be set");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.mqtt.url", "http://x")))
        .hasMessage("bridge.mqtt.url must start with tcp:// or ssl://, got 'http://x'");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.mqtt.client-id", "a b")))
        .hasMessage("bridge.mqtt.client-id must match [A-Za-z0-9._-]{1,64}, got 'a b'");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.max-in-flight", "0")))
        .hasMessage("bridge.max-in-flight must be in 1..65535, got 0");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.max-in-flight", "lots")))
        .hasMessage("bridge.max-in-flight must be a whole number, got 'lots'");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.reconnect.max-ms", "10")))
        .hasMessage(
            "bridge.reconnect.max-ms must be at least bridge.reconnect.min-ms (500), got 10");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(with("bridge.mqtt.password", SECRET)))
        .hasMessage("bridge.mqtt.password is set but bridge.mqtt.username is not");
    assertThatThrownBy(
            () ->
                BridgeSettings.fromProperties(with("bridge.registry.path", "/nowhere/devices.csv")))
        .hasMessage("bridge.registry.path is not a readable file: /nowhere/devices.csv");
    assertThatThrownBy(
            () ->
                BridgeSettings.fromProperties(
                    with("bridge.mqtt.truststore.path", "/nowhere/ca.p12")))
        .hasMessage("bridge.mqtt.truststore.path is set but bridge.mqtt.url is not ssl://");
    Properties ssl = with("bridge.mqtt.url", "ssl://broker:8883");
    ssl.setProperty("bridge.mqtt.truststore.path", "/nowhere/ca.p12");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(ssl))
        .hasMessage("bridge.mqtt.truststore.path is not a readable file: /nowhere/ca.p12");
    assertThatThrownBy(
            () -> BridgeSettings.fromProperties(with("bridge.mqtt.truststore.password", SECRET)))
        .hasMessage(
            "bridge.mqtt.truststore.password is set but bridge.mqtt.truststore.path is not");
  }

  @Test
  void passwordsAppearNeitherInToStringNorInErrors(@TempDir Path dir) throws Exception {
    Path truststore = Files.createFile(dir.resolve("ca.p12"));
    Properties p = with("bridge.mqtt.url", "ssl://broker:8883");
    p.setProperty("bridge.mqtt.username", "bridge");
    p.setProperty("bridge.mqtt.password", SECRET);
    p.setProperty("bridge.mqtt.truststore.path", truststore.toString());
    p.setProperty("bridge.mqtt.truststore.password", SECRET + "-store");
    BridgeSettings s = BridgeSettings.fromProperties(p);
    assertThat(s.toString())
        .contains("username=bridge", "password=***", "truststorePassword=***")
        .doesNotContain(SECRET);
    assertThat(new String(s.password())).isEqualTo(SECRET);

    p.setProperty("bridge.max-in-flight", "-1");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(p)).message().doesNotContain(SECRET);
  }

  @Test
  void thePasswordMayComeFromTheEnvironmentButAFileOrPropertyWins() throws Exception {
    Properties p = BridgeMain.load(new String[0], Map.of("CITYBRAIN_BRIDGE_MQTT_PASSWORD", SECRET));
    assertThat(p.getProperty("bridge.mqtt.password")).isEqualTo(SECRET);
  }

  @Test
  void kafkaSecurityKeysLiveUnderTheBridgePrefixAndTheirSecretInTheEnvironment() {
    Properties p = with("bridge.kafka.security.protocol", "SASL_PLAINTEXT");
    assertThatThrownBy(() -> BridgeSettings.fromProperties(p))
        .hasMessageStartingWith(
            "bridge.kafka.sasl.mechanism must be set when bridge.kafka.security.protocol is SASL_PLAINTEXT");
    p.setProperty("bridge.kafka.sasl.mechanism", "SCRAM-SHA-256");
    p.setProperty("bridge.kafka.sasl.username", "bridge");
    BridgeSettings s =
        BridgeSettings.fromProperties(p, Map.of("CITYBRAIN_KAFKA_SASL_PASSWORD", SECRET));
    assertThat(s.kafkaSecurity().clientProperties())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
    assertThat(s.toString()).contains("SASL_PLAINTEXT").doesNotContain(SECRET);
    assertThat(BridgeSettings.fromProperties(valid()).kafkaSecurity().clientProperties()).isEmpty();
  }
}
