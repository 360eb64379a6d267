package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

  private static ConsoleSettings with(int port, String store, String kafka, String mqtt) {
    return ConsoleSettings.local(port, store, kafka, mqtt);
  }

  /** The settings a console service needs at least. */
  private static Properties service(String... more) {
    Properties p = new Properties();
    p.setProperty("console.store.url", "http://influxdb:8086");
    p.setProperty("console.kafka.bootstrap-servers", "kafka:9092");
    p.setProperty("console.mqtt.url", "tcp://mosquitto:1883");
    for (int i = 0; i < more.length; i += 2) {
      p.setProperty(more[i], more[i + 1]);
    }
    return p;
  }

  @Test
  void aPortOutsideTheRangeNamesTheKey() {
    assertThatThrownBy(
            () -> with(70000, "http://127.0.0.1:9000", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("console.http.port must be within 0..65535, got 70000");
  }

  @Test
  void theStoreMustBeAnHttpUrl() {
    assertThatThrownBy(() -> with(0, "127.0.0.1:9000", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .hasMessage("console.store.url is not a URL: 127.0.0.1:9000");
    assertThatThrownBy(() -> with(0, "file:///tmp/store", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .hasMessage("console.store.url must be a http URL with a host, got file:///tmp/store");
    assertThatThrownBy(() -> with(0, "", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .hasMessage("console.store.url is required");
  }

  @Test
  void kafkaAndTheBrokerAreRequired() {
    assertThatThrownBy(() -> with(0, "http://127.0.0.1:9000", " ", "tcp://127.0.0.1:1883"))
        .hasMessage("console.kafka.bootstrap-servers is required");
    assertThatThrownBy(
            () -> with(0, "http://127.0.0.1:9000", "127.0.0.1:9092", "http://127.0.0.1:1883"))
        .hasMessage(
            "console.mqtt.url must be a tcp or ssl URL with a host, got http://127.0.0.1:1883");
  }

  @Test
  void aUserWithoutAPasswordIsRefused() {
    assertThatThrownBy(
            () -> with(0, "http://h:1", "h:2", "tcp://h:3").withMqttCredentials("ops", null))
        .hasMessage(
            "console.mqtt.username and console.mqtt.password go together: give both or neither");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.store.username", "reader"), Map.of()))
        .hasMessage(
            "console.store.username and console.store.password go together: give both or neither");
  }

  @Test
  void thePasswordsAndTheTokenAreNotPrinted() {
    ConsoleSettings s =
        with(0, "http://h:1", "h:2", "tcp://h:3")
            .withMqttCredentials("ops", "s3cret-pw".toCharArray())
            .withStoreCredentials("citybrain", "st0re-pw".toCharArray());
    assertThat(s.toString())
        .contains("mqttUser=ops", "user=citybrain", "token=(set)")
        .doesNotContain("s3cret-pw", "st0re-pw", new String(s.token()));
    ConsoleSettings influx =
        ConsoleSettings.fromProperties(
            service(
                "console.store.dialect",
                "influxql",
                "console.store.database",
                "citybrain",
                "console.store.token",
                "t0ken-of-the-store"),
            Map.of());
    assertThat(influx.toString()).contains("token=(set)").doesNotContain("t0ken-of-the-store");
  }

  @Test
  void aUsersFileReplacesTheTokenAndTheSessionKeyIsLongAndSecret(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path users =
        java.nio.file.Files.writeString(dir.resolve("users.csv"), "# none yet\n");
    assertThat(with(0, "http://h:1", "h:2", "tcp://h:3").withUsers(users).token()).isNull();
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.users.file", dir.resolve("nope.csv").toString()), Map.of()))
        .hasMessage("console.users.file " + dir.resolve("nope.csv") + " is not a readable file");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service(
                        "console.users.file", users.toString(), "console.token", "t".repeat(20)),
                    Map.of()))
        .hasMessageStartingWith("console.token (CITYBRAIN_CONSOLE_TOKEN) and console.users.file");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.users.file", users.toString(), "console.session.key", "short"),
                    Map.of()))
        .hasMessage(
            "console.session.key (CITYBRAIN_CONSOLE_SESSION_KEY) must have at "
                + "least 32 characters, got 5");
    ConsoleSettings s =
        ConsoleSettings.fromProperties(
            service("console.users.file", users.toString(), "console.session.key", "k".repeat(40)),
            Map.of());
    assertThat(s.toString())
        .contains("users=" + users, "sessionKey=(set)")
        .doesNotContain("k".repeat(40));
  }

  @Test
  void extraHostsAreNamesWithoutPortOrScheme() {
    assertThat(hosts(" Citybrain.LAN ,[fd00::1]").hosts())
        .containsExactly("citybrain.lan", "[fd00::1]");
    assertThatThrownBy(() -> hosts("http://evil.example"))
        .hasMessage(
            "console.hosts must name hosts without port or scheme (e.g. citybrain.lan), got 'http://evil.example'");
    assertThatThrownBy(() -> hosts("citybrain.lan:8080"))
        .hasMessageContaining("got 'citybrain.lan:8080'");
  }

  private static ConsoleSettings hosts(String value) {
    return ConsoleSettings.fromProperties(service("console.hosts", value), Map.of());
  }

  @Test
  void aServiceIsConfiguredByKeysWithDefaults() {
    ConsoleSettings s =
        ConsoleSettings.fromProperties(
            service(
                "console.http.host",
                "0.0.0.0",
                "console.public-urls",
                "https://ops.city.example, http://console.citybrain:8080",
                "console.token",
                "0123456789abcdefXYZ",
                "console.kafka.security.protocol",
                "SASL_PLAINTEXT",
                "console.kafka.sasl.mechanism",
                "SCRAM-SHA-512"),
            Map.of(
                "CITYBRAIN_KAFKA_SASL_USERNAME",
                "citybrain-console-kafka",
                "CITYBRAIN_KAFKA_SASL_PASSWORD",
                "pw"));
    assertThat(s.host()).isEqualTo("0.0.0.0");
    assertThat(s.port()).isEqualTo(ConsoleSettings.DEFAULT_PORT);
    assertThat(s.store().dialect()).isEqualTo(ConsoleSettings.Dialect.QUESTDB);
    assertThat(s.refresh()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.publicUrls())
        .containsExactly(
            URI.create("https://ops.city.example"), URI.create("http://console.citybrain:8080"));
    assertThat(s.kafkaSecurity().clientProperties())
        .containsEntry("security.protocol", "SASL_PLAINTEXT");
    assertThat(s.tls()).isNull();
  }

  @Test
  void aWrongOrUnknownKeyIsNamed() {
    assertThatThrownBy(
            () -> ConsoleSettings.fromProperties(service("console.mqtt.user", "ops"), Map.of()))
        .hasMessageStartingWith(
            "unknown setting console.mqtt.user (did you mean console.mqtt.username?)");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(service("console.store.dialect", "flux"), Map.of()))
        .hasMessage("console.store.dialect must be questdb or influxql, got 'flux'");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.store.dialect", "influxql"), Map.of()))
        .hasMessageStartingWith(
            "console.store.database is required with console.store.dialect influxql");
    assertThatThrownBy(
            () -> ConsoleSettings.fromProperties(service("console.refresh", "1s"), Map.of()))
        .hasMessage("console.refresh must be an ISO-8601 duration such as PT1S or PT24H, got '1s'");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.public-urls", "https://ops.example/console"), Map.of()))
        .hasMessage(
            "console.public-urls must be origins such as https://ops.city.example, got https://ops.example/console");
    assertThatThrownBy(
            () -> ConsoleSettings.fromProperties(service("console.token", "short"), Map.of()))
        .hasMessage(
            "console.token (CITYBRAIN_CONSOLE_TOKEN) must have at least 16 characters, got 5");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.tls.keystore", "/nonexistent/console.p12"), Map.of()))
        .hasMessage("console.tls.keystore /nonexistent/console.p12 is not a readable file");
    assertThatThrownBy(
            () ->
                ConsoleSettings.fromProperties(
                    service("console.kafka.sasl.password", "pw"), Map.of()))
        .hasMessageContaining("CITYBRAIN_KAFKA_SASL_PASSWORD");
  }

  @Test
  void secretsComeFromTheEnvironment() throws Exception {
    Properties p =
        ConsoleMain.load(
            new String[0],
            Map.of(
                "CITYBRAIN_CONSOLE_TOKEN",
                "from-the-secret-0123",
                "CITYBRAIN_CONSOLE_MQTT_PASSWORD",
                "mqtt-pw"));
    p.putAll(service("console.mqtt.username", "console"));
    ConsoleSettings s = ConsoleSettings.fromProperties(p, Map.of());
    assertThat(new String(s.token())).isEqualTo("from-the-secret-0123");
    assertThat(new String(s.mqttPassword())).isEqualTo("mqtt-pw");
  }
}
