package io.citybrain.connectors.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DispatchSettingsTest {

  private static final String SECRET = "hunter2-very-secret";

  private static Properties valid() {
    Properties p = new Properties();
    p.setProperty("dispatch.kafka.bootstrap-servers", "kafka:9092");
    p.setProperty("dispatch.mqtt.url", "tcp://broker:1883");
    p.setProperty("dispatch.mqtt.client-id", "dispatch-0");
    return p;
  }

  private static Properties with(String key, String value) {
    Properties p = valid();
    p.setProperty(key, value);
    return p;
  }

  @Test
  void defaultsApplyWhenOnlyTheRequiredKeysAreSet() {
    DispatchSettings s = DispatchSettings.fromProperties(valid());
    assertThat(s.mqttUsername()).isNull();
    assertThat(s.webhooks()).isEmpty();
    assertThat(s.webhookRetries()).isEqualTo(5);
    assertThat(s.webhookTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.store()).isNull();
  }

  @Test
  void everyKeyIsRead() {
    Properties p = valid();
    p.setProperty("dispatch.mqtt.username", "citybrain-dispatch");
    p.setProperty("dispatch.mqtt.password", SECRET);
    p.setProperty(
        "dispatch.webhooks", "https://ops.example/hook?key=k1, http://10.0.0.5:8080/alerts");
    p.setProperty("dispatch.webhook.retries", "2");
    p.setProperty("dispatch.webhook.timeout-ms", "2500");
    p.setProperty("dispatch.influx.url", "http://influxdb:8086");
    p.setProperty("dispatch.influx.token", SECRET);
    DispatchSettings s = DispatchSettings.fromProperties(p);
    assertThat(s.mqttUsername()).isEqualTo("citybrain-dispatch");
    assertThat(s.mqttPassword()).isEqualTo(SECRET.toCharArray());
    assertThat(s.webhooks())
        .containsExactly(
            URI.create("https://ops.example/hook?key=k1"),
            URI.create("http://10.0.0.5:8080/alerts"));
    assertThat(s.webhookRetries()).isEqualTo(2);
    assertThat(s.webhookTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.store().url()).isEqualTo("http://influxdb:8086");
    assertThat(s.store().bucket()).isEqualTo("citybrain");
    assertThat(s.toString()).doesNotContain(SECRET).doesNotContain("k1");
  }

  @Test
  void aBadValueStopsStartUpNamingItsKey() {
    assertThatThrownBy(
            () -> DispatchSettings.fromProperties(with("dispatch.webhook.retries", "many")))
        .hasMessage("dispatch.webhook.retries must be a whole number, got 'many'");
    assertThatThrownBy(
            () -> DispatchSettings.fromProperties(with("dispatch.webhook.retries", "21")))
        .hasMessageStartingWith("dispatch.webhook.retries must be within 0..20");
    assertThatThrownBy(
            () -> DispatchSettings.fromProperties(with("dispatch.webhook.timeout-ms", "5")))
        .hasMessageStartingWith("dispatch.webhook.timeout");
    assertThatThrownBy(
            () -> DispatchSettings.fromProperties(with("dispatch.mqtt.url", "mqtt://broker")))
        .hasMessageStartingWith("dispatch.mqtt.url must start with tcp:// or ssl://");
    assertThatThrownBy(() -> DispatchSettings.fromProperties(with("dispatch.mqtt.username", "u")))
        .hasMessage("dispatch.mqtt.password must be set when dispatch.mqtt.username is");
    assertThatThrownBy(
            () -> DispatchSettings.fromProperties(with("dispatch.influx.url", "influxdb:8086")))
        .hasMessageStartingWith("dispatch.influx.url must be an http:// or https:// URL");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with("dispatch.influx.url", "http://influxdb:8086")))
        .hasMessageStartingWith("dispatch.influx.token must be set");
    Properties noClientId = valid();
    noClientId.remove("dispatch.mqtt.client-id");
    assertThatThrownBy(() -> DispatchSettings.fromProperties(noClientId))
        .hasMessage("dispatch.mqtt.client-id must be set");
  }

  @Test
  void aWebhookThatIsNotAUrlIsNamedByKeyWithoutShowingTheSecret() {
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with("dispatch.webhooks", "https://x/ hook?key=" + SECRET)))
        .hasMessage("dispatch.webhooks holds a value that is not a URL");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with("dispatch.webhooks", "ftp://x/?key=" + SECRET)))
        .hasMessageStartingWith("dispatch.webhooks must be http:// or https://")
        .message()
        .doesNotContain(SECRET);
  }

  @Test
  void secretsComeFromTheEnvironmentUnlessAlreadySet() throws Exception {
    Properties p =
        DispatchMain.load(
            new String[0],
            Map.of(
                "CITYBRAIN_DISPATCH_MQTT_PASSWORD",
                SECRET,
                "CITYBRAIN_DISPATCH_WEBHOOKS",
                "https://ops.example/hook",
                "CITYBRAIN_INFLUX_TOKEN",
                "tok"));
    assertThat(p.getProperty("dispatch.mqtt.password")).isEqualTo(SECRET);
    assertThat(p.getProperty("dispatch.webhooks")).isEqualTo("https://ops.example/hook");
    assertThat(p.getProperty("dispatch.influx.token")).isEqualTo("tok");
  }

  /**
   * Issue 20: the channels file (a mounted Secret) and the generic webhooks' secret; nothing secret
   * printed or named.
   */
  @Test
  void channelsComeFromAFileAndABadEntryIsNamedWithoutItsValue(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("channels.json");
    java.nio.file.Files.writeString(
        file,
        """
        [{"name": "xihu", "format": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t0ken",
          "secret": "SECx", "districts": ["330106"]},
         {"name": "c-1", "format": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k3y",
          "communities": ["c-330106-001"]}]""");
    Properties p = with(DispatchSettings.CHANNELS_FILE_KEY, file.toString());
    p.setProperty(DispatchSettings.WEBHOOKS_KEY, "https://ops.example/hook");
    p.setProperty(DispatchSettings.WEBHOOK_SECRET_KEY, "whs3cret");
    DispatchSettings s = DispatchSettings.fromProperties(p);
    assertThat(s.allChannels())
        .extracting(Channel::name)
        .containsExactly("webhook-1", "xihu", "c-1");
    assertThat(s.allChannels().get(0).secret()).isEqualTo("whs3cret".toCharArray());
    assertThat(s.allChannels().get(1).format()).isEqualTo(Channel.Format.DINGTALK);
    assertThat(s.toString())
        .contains("xihu", "dingtalk", "(signed)")
        .doesNotContain("t0ken", "k3y", "SECx", "whs3cret");

    java.nio.file.Files.writeString(
        file, "[{\"name\": \"x\", \"format\": \"sms\", \"url\": \"https://h/?key=k3y\"}]");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with(DispatchSettings.CHANNELS_FILE_KEY, file.toString())))
        .hasMessage(
            "dispatch.channels.file "
                + file
                + " entry 0: format must be generic, dingtalk, wecom or email");
    java.nio.file.Files.writeString(file, "[{\"name\": \"x\", \"url\": \"ftp://h/?key=k3y\"}]");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with(DispatchSettings.CHANNELS_FILE_KEY, file.toString())))
        .hasMessageContaining("entry 0: channel 'x': url must be an http:// or https:// URL")
        .hasMessageNotContaining("k3y");
    // An e-mail channel: its addresses checked at start, and an SMTP server required.
    java.nio.file.Files.writeString(
        file,
        "[{\"name\": \"m\", \"format\": \"email\", \"url\": \"mailto:ok@x.example,no-domain\"}]");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with(DispatchSettings.CHANNELS_FILE_KEY, file.toString())))
        .hasMessageContaining("entry 0: channel 'm': 'no-domain' is not an e-mail address");
    java.nio.file.Files.writeString(
        file, "[{\"name\": \"m\", \"format\": \"email\", \"url\": \"mailto:ok@x.example\"}]");
    assertThatThrownBy(
            () ->
                DispatchSettings.fromProperties(
                    with(DispatchSettings.CHANNELS_FILE_KEY, file.toString())))
        .hasMessage("dispatch.smtp.host is required by the email channel 'm'");
  }

  /**
   * A CR or LF in an alert's fields (anyone with write access to city.alerts) cannot start a header
   * of an e-mail.
   */
  @Test
  void controlCharactersNeverReachAnEmailHeader() {
    assertThat(Mailer.printable("sos-1\r\nBcc: victim@example.org"))
        .isEqualTo("sos-1  Bcc: victim@example.org")
        .doesNotContain("\r", "\n");
  }
}
