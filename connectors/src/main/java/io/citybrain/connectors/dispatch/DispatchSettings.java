package io.citybrain.connectors.dispatch;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.kafka.KafkaSecurity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of alert dispatch. Validated on construction; a wrong value names its key. The password
 * and the webhook URLs (which may carry a secret in their query) never appear in {@link
 * #toString()}.
 *
 * @param mqttUsername null to connect anonymously (the local city without {@code --mqtt-users})
 * @param webhooks where each alert is also POSTed as JSON; empty for none
 * @param webhookRetries retries of one webhook call on I/O errors, 408, 429 and 5xx, 0..20
 * @param webhookTimeout connect and response timeout of one call
 * @param store where each alert also lands in the {@code alert} measurement; null for nowhere
 * @param kafkaSecurity how the consumer and the dead-letter producer reach Kafka ({@code
 *     dispatch.kafka.*} keys of {@link KafkaSecurity}); null means {@link KafkaSecurity#NONE}
 * @param webhookSecret signs the calls to {@code webhooks} ({@link Channel.Format#GENERIC}), or
 *     null
 * @param channels group robots and webhooks in their own formats, each for its communities and
 *     districts ({@code dispatch.channels.file}, {@link Channel#read})
 * @param smtp the SMTP server of the e-mail channels, or null when there are none
 */
public record DispatchSettings(
    String kafkaBootstrap,
    String mqttUrl,
    String clientId,
    String mqttUsername,
    char[] mqttPassword,
    List<URI> webhooks,
    int webhookRetries,
    Duration webhookTimeout,
    InfluxSettings store,
    KafkaSecurity kafkaSecurity,
    char[] webhookSecret,
    List<Channel> channels,
    Smtp smtp) {

  /**
   * The SMTP server e-mail channels are sent through ({@code dispatch.smtp.*}; the password from
   * {@code CITYBRAIN_DISPATCH_SMTP_PASSWORD}).
   *
   * @param starttls require STARTTLS (default); off only for a server on the same host or network
   */
  public record Smtp(
      String host, int port, boolean starttls, String username, char[] password, String from) {
    public Smtp {
      require(host, "dispatch.smtp.host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "dispatch.smtp.port must be within 1..65535, got " + port);
      }
      if ((username == null) != (password == null)) {
        throw new IllegalArgumentException(
            "dispatch.smtp.username and its password (CITYBRAIN_DISPATCH_SMTP_PASSWORD) go together");
      }
      if (from == null || !from.contains("@")) {
        throw new IllegalArgumentException(
            "dispatch.smtp.from must be the sender's address, got '" + from + "'");
      }
    }

    @Override
    public String toString() {
      return "Smtp["
          + host
          + ":"
          + port
          + (starttls ? ", STARTTLS" : "")
          + ", user="
          + username
          + ", from="
          + from
          + "]";
    }
  }

  public static final String WEBHOOKS_KEY = "dispatch.webhooks";

  /**
   * The generic webhooks' signing secret; from the environment ({@code
   * CITYBRAIN_DISPATCH_WEBHOOK_SECRET}).
   */
  public static final String WEBHOOK_SECRET_KEY = "dispatch.webhook.secret";

  /** The channels file (a mounted Secret: it holds robots' keys and secrets). */
  public static final String CHANNELS_FILE_KEY = "dispatch.channels.file";

  /**
   * The SMTP account's password; from the environment ({@code CITYBRAIN_DISPATCH_SMTP_PASSWORD}).
   */
  public static final String SMTP_PASSWORD_KEY = "dispatch.smtp.password";

  /**
   * The keys {@link #fromProperties} reads (the store's and Kafka's security keys under {@code
   * dispatch.} included).
   */
  public static final Set<String> KEYS = keys();

  private static Set<String> keys() {
    Set<String> keys =
        new java.util.TreeSet<>(
            List.of(
                "dispatch.kafka.bootstrap-servers",
                "dispatch.mqtt.url",
                "dispatch.mqtt.client-id",
                "dispatch.mqtt.username",
                "dispatch.mqtt.password",
                WEBHOOKS_KEY,
                "dispatch.webhook.retries",
                "dispatch.webhook.timeout-ms",
                WEBHOOK_SECRET_KEY,
                CHANNELS_FILE_KEY,
                "dispatch.smtp.host",
                "dispatch.smtp.port",
                "dispatch.smtp.starttls",
                "dispatch.smtp.username",
                SMTP_PASSWORD_KEY,
                "dispatch.smtp.from",
                STORE_PREFIX + InfluxSettings.URL_KEY,
                STORE_PREFIX + InfluxSettings.ORG_KEY,
                STORE_PREFIX + InfluxSettings.BUCKET_KEY,
                STORE_PREFIX + InfluxSettings.TOKEN_KEY));
    KafkaSecurity.KEYS.forEach(k -> keys.add(KAFKA_PREFIX + k));
    KafkaSecurity.SECRET_KEYS.keySet().forEach(k -> keys.add(KAFKA_PREFIX + k));
    return java.util.Collections.unmodifiableSet(keys);
  }

  /**
   * The store's keys are InfluxSettings' own under this prefix: {@code dispatch.influx.url} and so
   * on.
   */
  public static final String STORE_PREFIX = "dispatch.";

  /**
   * Kafka security's keys are KafkaSecurity's own under this prefix: {@code
   * dispatch.kafka.security.protocol} and so on.
   */
  public static final String KAFKA_PREFIX = "dispatch.";

  public DispatchSettings {
    kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.NONE : kafkaSecurity;
    require(kafkaBootstrap, "dispatch.kafka.bootstrap-servers");
    require(mqttUrl, "dispatch.mqtt.url");
    require(clientId, "dispatch.mqtt.client-id");
    if (!mqttUrl.startsWith("tcp://") && !mqttUrl.startsWith("ssl://")) {
      throw new IllegalArgumentException(
          "dispatch.mqtt.url must start with tcp:// or ssl://, got '" + mqttUrl + "'");
    }
    if (mqttUsername != null && mqttPassword == null) {
      throw new IllegalArgumentException(
          "dispatch.mqtt.password must be set when dispatch.mqtt.username is");
    }
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    channels = channels == null ? List.of() : List.copyOf(channels);
    for (Channel c : channels) {
      if (c.format() == Channel.Format.EMAIL && smtp == null) {
        throw new IllegalArgumentException(
            "dispatch.smtp.host is required by the email channel '" + c.name() + "'");
      }
    }
    for (URI w : webhooks) {
      if (!"http".equals(w.getScheme()) && !"https".equals(w.getScheme()) || w.getHost() == null) {
        throw new IllegalArgumentException(
            "dispatch.webhooks must be http:// or https:// URLs, got one with scheme '"
                + w.getScheme()
                + "'");
      }
    }
    if (webhookRetries < 0 || webhookRetries > 20) {
      throw new IllegalArgumentException(
          "dispatch.webhook.retries must be within 0..20, got " + webhookRetries);
    }
    if (webhookTimeout == null
        || webhookTimeout.toMillis() < 100
        || webhookTimeout.toMinutes() > 1) {
      throw new IllegalArgumentException(
          "dispatch.webhook.timeout must be within 100ms..1min, got " + webhookTimeout);
    }
  }

  /** The local city's dispatcher: anonymous MQTT unless credentials are given, no webhooks. */
  public static DispatchSettings local(
      String kafkaBootstrap, String mqttUrl, InfluxSettings store) {
    return new DispatchSettings(
        kafkaBootstrap,
        mqttUrl,
        "citybrain-dispatch-1",
        null,
        null,
        List.of(),
        5,
        Duration.ofSeconds(10),
        store,
        KafkaSecurity.NONE,
        null,
        List.of(),
        null);
  }

  /**
   * Reads the settings of a dispatcher process ({@link DispatchMain}): {@code
   * dispatch.kafka.bootstrap-servers}, {@code dispatch.mqtt.url}, {@code dispatch.mqtt.client-id}
   * (required; distinct per instance, since the broker drops the older of two connections with one
   * id), {@code dispatch.mqtt.username} and {@code dispatch.mqtt.password} (optional), {@code
   * dispatch.webhooks} (comma-separated URLs), {@code dispatch.webhook.retries} (default 5), {@code
   * dispatch.webhook.timeout-ms} (default 10000), and the store: {@code dispatch.influx.url} (none
   * when unset), {@code .org}, {@code .bucket} (both default {@code citybrain}), {@code .token};
   * Kafka security as {@link KafkaSecurity} says, under {@code dispatch.} ({@code
   * dispatch.kafka.security.protocol}, ...), its secrets from {@code env}. A value that does not
   * parse names its key.
   */
  public static DispatchSettings fromProperties(Properties p, Map<String, String> env) {
    List<URI> webhooks = new ArrayList<>();
    for (String url : p.getProperty(WEBHOOKS_KEY, "").split(",")) {
      if (!url.isBlank()) {
        try {
          webhooks.add(URI.create(url.trim()));
        } catch (IllegalArgumentException e) {
          // The URL itself may hold a secret: name the key, not the value.
          throw new IllegalArgumentException(WEBHOOKS_KEY + " holds a value that is not a URL", e);
        }
      }
    }
    String username = p.getProperty("dispatch.mqtt.username");
    String password = p.getProperty("dispatch.mqtt.password");
    return new DispatchSettings(
        p.getProperty("dispatch.kafka.bootstrap-servers"),
        p.getProperty("dispatch.mqtt.url"),
        p.getProperty("dispatch.mqtt.client-id"),
        username == null || username.isBlank() ? null : username.trim(),
        password == null ? null : password.toCharArray(),
        webhooks,
        ProcessSettings.intNumber(p, "dispatch.webhook.retries", 5),
        Duration.ofMillis(ProcessSettings.number(p, "dispatch.webhook.timeout-ms", 10_000)),
        store(p),
        KafkaSecurity.from(KAFKA_PREFIX, p::getProperty, env),
        chars(p.getProperty(WEBHOOK_SECRET_KEY)),
        channels(p.getProperty(CHANNELS_FILE_KEY)),
        smtp(p));
  }

  private static Smtp smtp(Properties p) {
    String host = p.getProperty("dispatch.smtp.host");
    if (host == null || host.isBlank()) {
      return null;
    }
    String user = p.getProperty("dispatch.smtp.username");
    return new Smtp(
        host.strip(),
        ProcessSettings.intNumber(p, "dispatch.smtp.port", 587),
        !"false".equalsIgnoreCase(p.getProperty("dispatch.smtp.starttls", "true").strip()),
        user == null || user.isBlank() ? null : user.strip(),
        chars(p.getProperty(SMTP_PASSWORD_KEY)),
        p.getProperty("dispatch.smtp.from"));
  }

  private static char[] chars(String v) {
    return v == null || v.isEmpty() ? null : v.toCharArray();
  }

  private static List<Channel> channels(String file) {
    return file == null || file.isBlank()
        ? List.of()
        : Channel.read(java.nio.file.Path.of(file.strip()));
  }

  /**
   * Every channel an alert may go to besides MQTT: the {@code webhooks} (generic, signed with
   * {@code webhookSecret}, every alert), then the {@code channels}.
   */
  public List<Channel> allChannels() {
    List<Channel> all = new ArrayList<>();
    for (int i = 0; i < webhooks.size(); i++) {
      all.add(
          new Channel(
              "webhook-" + (i + 1),
              Channel.Format.GENERIC,
              webhooks.get(i),
              webhookSecret,
              null,
              null));
    }
    all.addAll(channels);
    return all;
  }

  /** {@link #fromProperties(Properties, Map)} without environment: no Kafka secrets. */
  public static DispatchSettings fromProperties(Properties p) {
    return fromProperties(p, Map.of());
  }

  private static InfluxSettings store(Properties p) {
    String url = p.getProperty(STORE_PREFIX + InfluxSettings.URL_KEY);
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      return new InfluxSettings(
          url.trim(),
          p.getProperty(STORE_PREFIX + InfluxSettings.ORG_KEY, "citybrain"),
          p.getProperty(STORE_PREFIX + InfluxSettings.BUCKET_KEY, "citybrain"),
          p.getProperty(STORE_PREFIX + InfluxSettings.TOKEN_KEY));
    } catch (IllegalArgumentException e) {
      // InfluxSettings names its own keys (influx.*); here they live under dispatch.
      throw new IllegalArgumentException(STORE_PREFIX + e.getMessage(), e);
    }
  }

  public DispatchSettings withMqttCredentials(String username, char[] password) {
    return toBuilder().mqttCredentials(username, password).build();
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must be set");
    }
  }

  /**
   * A webhook as logs and dead letters show it: without user info or query, which may hold a
   * secret.
   */
  static String redacted(URI webhook) {
    return webhook.getScheme()
        + "://"
        + webhook.getHost()
        + (webhook.getPort() == -1 ? "" : ":" + webhook.getPort())
        + (webhook.getPath() == null ? "" : webhook.getPath());
  }

  @Override
  public String toString() {
    return "DispatchSettings[kafka="
        + kafkaBootstrap
        + " ("
        + kafkaSecurity
        + "), mqttUrl="
        + mqttUrl
        + ", clientId="
        + clientId
        + ", mqttUsername="
        + mqttUsername
        + ", webhooks="
        + webhooks.stream().map(DispatchSettings::redacted).toList()
        + (webhookSecret == null ? "" : " (signed)")
        + ", channels="
        + channels
        + (smtp == null ? "" : ", smtp=" + smtp)
        + ", webhookRetries="
        + webhookRetries
        + ", store="
        + store
        + "]";
  }

  /** These settings, to change some of them; {@link Builder#build()} validates them again. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Settings changed one at a time from others (a deployment reads them all from its properties
   * instead: {@link #fromProperties}).
   */
  public static final class Builder {
    private String kafkaBootstrap;
    private String mqttUrl;
    private String clientId;
    private String mqttUsername;
    private char[] mqttPassword;
    private List<URI> webhooks;
    private int webhookRetries;
    private Duration webhookTimeout;
    private InfluxSettings store;
    private KafkaSecurity kafkaSecurity;
    private char[] webhookSecret;
    private List<Channel> channels;
    private Smtp smtp;

    private Builder(DispatchSettings s) {
      kafkaBootstrap = s.kafkaBootstrap;
      mqttUrl = s.mqttUrl;
      clientId = s.clientId;
      mqttUsername = s.mqttUsername;
      mqttPassword = s.mqttPassword;
      webhooks = s.webhooks;
      webhookRetries = s.webhookRetries;
      webhookTimeout = s.webhookTimeout;
      store = s.store;
      kafkaSecurity = s.kafkaSecurity;
      webhookSecret = s.webhookSecret;
      channels = s.channels;
      smtp = s.smtp;
    }

    public Builder mqttCredentials(String username, char[] password) {
      this.mqttUsername = username;
      this.mqttPassword = password;
      return this;
    }

    public DispatchSettings build() {
      return new DispatchSettings(
          kafkaBootstrap,
          mqttUrl,
          clientId,
          mqttUsername,
          mqttPassword,
          webhooks,
          webhookRetries,
          webhookTimeout,
          store,
          kafkaSecurity,
          webhookSecret,
          channels,
          smtp);
    }
  }
}
