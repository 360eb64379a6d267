package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

  private static ConsoleSettings with(int port, String store, String kafka, String mqtt) {
    return ConsoleSettings.local(port, store, kafka, mqtt, 42);
  }

  @Test
  void aPortOutsideTheRangeNamesTheKey() {
    assertThatThrownBy(() -> with(70000, "http://127.0.0.1:9000", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("console.port must be within 0..65535, got 70000");
  }

  @Test
  void theStoreMustBeAnHttpUrl() {
    assertThatThrownBy(() -> with(0, "127.0.0.1:9000", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .hasMessage("console.storeUrl is not a URL: 127.0.0.1:9000");
    assertThatThrownBy(() -> with(0, "file:///tmp/store", "127.0.0.1:9092", "tcp://127.0.0.1:1883"))
        .hasMessage("console.storeUrl must be a http URL with a host, got file:///tmp/store");
    assertThatThrownBy(() -> with(0, "", "127.0.0.1:9092", "tcp://127.0.0.1:1883")).hasMessage("console.storeUrl is required");
  }

  @Test
  void kafkaAndTheBrokerAreRequired() {
    assertThatThrownBy(() -> with(0, "http://127.0.0.1:9000", " ", "tcp://127.0.0.1:1883"))
        .hasMessage("console.kafkaBootstrap is required");
    assertThatThrownBy(() -> with(0, "http://127.0.0.1:9000", "127.0.0.1:9092", "http://127.0.0.1:1883"))
        .hasMessage("console.mqttUrl must be a tcp URL with a host, got http://127.0.0.1:1883");
  }

  @Test
  void aUserWithoutAPasswordIsRefused() {
    assertThatThrownBy(() -> new ConsoleSettings(0, "http://h:1", "h:2", "tcp://h:3", "ops", null, 42, Duration.ofSeconds(1),
        java.util.List.of(), null, null))
        .hasMessage("console.mqttUser and console.mqttPassword go together: give both or neither");
  }

  @Test
  void thePasswordsAreNotPrinted() {
    ConsoleSettings s = with(0, "http://h:1", "h:2", "tcp://h:3").withMqttCredentials("ops", "s3cret-pw".toCharArray())
        .withStoreCredentials("citybrain", "st0re-pw".toCharArray());
    assertThat(s.toString()).contains("mqttUser=ops", "storeUser=citybrain").doesNotContain("s3cret-pw", "st0re-pw");
  }

  @Test
  void extraHostsAreNamesWithoutPortOrScheme() {
    ConsoleSettings base = with(0, "http://h:1", "h:2", "tcp://h:3");
    assertThat(base.withHosts(java.util.List.of(" Citybrain.LAN ", "[fd00::1]")).hosts()).containsExactly("citybrain.lan", "[fd00::1]");
    assertThatThrownBy(() -> base.withHosts(java.util.List.of("http://evil.example")))
        .hasMessage("console.hosts must name hosts without port or scheme (e.g. citybrain.lan), got 'http://evil.example'");
    assertThatThrownBy(() -> base.withHosts(java.util.List.of("citybrain.lan:8080"))).hasMessageContaining("got 'citybrain.lan:8080'");
  }
}
