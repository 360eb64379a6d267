package io.citybrain.connectors.bridge;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.kafka.KafkaSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one bridge instance. Validated on construction; a wrong value names its key. The
 * passwords are kept as {@code char[]} and appear in no {@code toString}, log line or exception.
 *
 * @param mqttUrl {@code tcp://host:port} or {@code ssl://host:port} ({@code bridge.mqtt.url})
 * @param clientId the MQTT client id; it names the persistent session, so it must be stable across
 *     restarts of the same instance and different between instances ({@code bridge.mqtt.client-id})
 * @param username broker user, or null for anonymous ({@code bridge.mqtt.username})
 * @param password broker password, only with a username ({@code bridge.mqtt.password})
 * @param kafkaBootstrap Kafka bootstrap servers ({@code bridge.kafka.bootstrap-servers})
 * @param subscription the topic filter, {@code city/#} so that unknown domains reach the
 *     dead-letter topic; {@code $share/<group>/city/#} to share the load between instances on a
 *     broker that supports shared subscriptions ({@code bridge.mqtt.subscription})
 * @param maxInFlight how many messages may be received and not yet stored by Kafka; when reached,
 *     the bridge stops reading from the broker ({@code bridge.max-in-flight}, 1..65535)
 * @param truststorePath a PKCS12 or JKS truststore for {@code ssl://}, null for the JVM's default
 *     ({@code bridge.mqtt.truststore.path})
 * @param truststorePassword its password ({@code bridge.mqtt.truststore.password})
 * @param reconnectMinMs first reconnect delay ({@code bridge.reconnect.min-ms})
 * @param reconnectMaxMs cap of the exponential reconnect delay ({@code bridge.reconnect.max-ms})
 * @param mqttVersion {@code 3.1.1} (default; every broker, Moquette included) or {@code 5} ({@code
 *     bridge.mqtt.version})
 * @param sessionExpirySeconds MQTT 5 only: how long the broker keeps the session (and the messages
 *     queued for it) after a disconnect; default never ({@code bridge.mqtt.session-expiry-s})
 * @param caFile PEM file of the CA(s) that signed the broker's certificate, instead of a truststore
 *     ({@code bridge.mqtt.tls.ca-file})
 * @param keystorePath a PKCS12 (or {@code .jks}) keystore with the bridge's client certificate and
 *     key, for brokers that require one ({@code bridge.mqtt.keystore.path})
 * @param keystorePassword its password ({@code bridge.mqtt.keystore.password})
 * @param registryPath the device registry ({@code devices.csv}) that places fixed devices sending
 *     no position, null for none ({@code bridge.registry.path})
 * @param kafkaSecurity how the producer reaches Kafka: {@link KafkaSecurity}'s keys under {@code
 *     bridge.} ({@code bridge.kafka.security.protocol}, ...); null means {@link KafkaSecurity#NONE}
 * @param maxReadingAge readings and acknowledgements observed longer ago than this at arrival are
 *     dead letters {@code stale-timestamp} ({@code bridge.max-reading-age}, ISO-8601 such as {@code
 *     PT2H}, default {@link IngestValidator#DEFAULT_MAX_AGE}); {@code 0} or {@code PT0S} is no
 *     limit, for a bridge that replays recorded history; null means the default
 * @param usersPath the users file ({@code bridge.users.file}, issue 20): with it, an
 *     acknowledgement is taken only on {@code city/ack/<alertId>/<username>} from a person of the
 *     file, and carries that person's role and scope for the emergency job's check; null for an
 *     open city, where anyone may acknowledge (the laptop's anonymous broker)
 */
public record BridgeSettings(
    String mqttUrl,
    String clientId,
    String username,
    char[] password,
    String kafkaBootstrap,
    String subscription,
    int maxInFlight,
    Path truststorePath,
    char[] truststorePassword,
    long reconnectMinMs,
    long reconnectMaxMs,
    MqttVersion mqttVersion,
    long sessionExpirySeconds,
    Path caFile,
    Path keystorePath,
    char[] keystorePassword,
    Path registryPath,
    KafkaSecurity kafkaSecurity,
    Duration maxReadingAge,
    Path usersPath) {

  public static final String REGISTRY_KEY = "bridge.registry.path";
  public static final String MAX_READING_AGE_KEY = "bridge.max-reading-age";
  public static final String USERS_KEY = "bridge.users.file";

  /** The keys {@link #fromProperties} reads; Kafka's security keys under {@code bridge.} too. */
  public static final Set<String> KEYS = keys();

  private static Set<String> keys() {
    Set<String> keys =
        new TreeSet<>(
            List.of(
                "bridge.mqtt.url",
                "bridge.mqtt.client-id",
                "bridge.mqtt.username",
                "bridge.mqtt.password",
                "bridge.kafka.bootstrap-servers",
                "bridge.mqtt.subscription",
                "bridge.max-in-flight",
                "bridge.mqtt.truststore.path",
                "bridge.mqtt.truststore.password",
                "bridge.reconnect.min-ms",
                "bridge.reconnect.max-ms",
                "bridge.mqtt.version",
                "bridge.mqtt.session-expiry-s",
                "bridge.mqtt.tls.ca-file",
                "bridge.mqtt.keystore.path",
                "bridge.mqtt.keystore.password",
                REGISTRY_KEY,
                MAX_READING_AGE_KEY,
                USERS_KEY));
    KafkaSecurity.KEYS.forEach(k -> keys.add("bridge." + k));
    KafkaSecurity.SECRET_KEYS.keySet().forEach(k -> keys.add("bridge." + k));
    return java.util.Collections.unmodifiableSet(keys);
  }

  public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;
  public static final long DEFAULT_RECONNECT_MIN_MS = 500;
  public static final long DEFAULT_RECONNECT_MAX_MS = 30_000;

  /** MQTT 5's "never expires", the same persistence as a 3.1.1 session with clean session off. */
  public static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

  /** The MQTT protocol the bridge speaks ({@code bridge.mqtt.version}). */
  public enum MqttVersion {
    V3_1_1("3.1.1"),
    V5("5");

    private final String key;

    MqttVersion(String key) {
      this.key = key;
    }

    /** How it is written in the settings: {@code 3.1.1} or {@code 5}. */
    public String key() {
      return key;
    }

    static MqttVersion parse(String value) {
      for (MqttVersion v : values()) {
        if (v.key.equals(value.trim())) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "bridge.mqtt.version must be 3.1.1 or 5, got '" + value + "'");
    }
  }

  public BridgeSettings {
    kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.NONE : kafkaSecurity;
    maxReadingAge = maxReadingAge == null ? IngestValidator.DEFAULT_MAX_AGE : maxReadingAge;
    if (maxReadingAge.isNegative()
        || !maxReadingAge.isZero() && maxReadingAge.compareTo(Duration.ofMillis(1)) < 0
        || maxReadingAge.compareTo(Duration.ofMillis(Long.MAX_VALUE)) > 0) {
      // Below a millisecond would silently be no limit; beyond a long's milliseconds is no duration
      // a clock has.
      throw new IllegalArgumentException(
          MAX_READING_AGE_KEY
              + " must be 0 (no limit) or a positive duration, got "
              + maxReadingAge);
    }
    if (mqttVersion == null) {
      throw new IllegalArgumentException("bridge.mqtt.version must be set");
    }
    if (sessionExpirySeconds < 1 || sessionExpirySeconds > SESSION_NEVER_EXPIRES) {
      throw new IllegalArgumentException(
          "bridge.mqtt.session-expiry-s must be in 1..4294967295 (0 would drop the "
              + "session, and its unacknowledged messages, at every disconnect), got "
              + sessionExpirySeconds);
    }
    require(mqttUrl, "bridge.mqtt.url");
    require(clientId, "bridge.mqtt.client-id");
    require(kafkaBootstrap, "bridge.kafka.bootstrap-servers");
    require(subscription, "bridge.mqtt.subscription");
    if (!mqttUrl.startsWith("tcp://") && !mqttUrl.startsWith("ssl://")) {
      throw new IllegalArgumentException(
          "bridge.mqtt.url must start with tcp:// or ssl://, got '" + mqttUrl + "'");
    }
    if (clientId.length() > 64 || !clientId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "bridge.mqtt.client-id must match [A-Za-z0-9._-]{1,64}, got '" + clientId + "'");
    }
    if (password != null && (username == null || username.isBlank())) {
      throw new IllegalArgumentException(
          "bridge.mqtt.password is set but bridge.mqtt.username is not");
    }
    if (username != null && username.isBlank()) {
      throw new IllegalArgumentException(
          "bridge.mqtt.username must not be blank (leave it unset for anonymous access)");
    }
    if (maxInFlight < 1 || maxInFlight > 65_535) {
      throw new IllegalArgumentException(
          "bridge.max-in-flight must be in 1..65535, got " + maxInFlight);
    }
    tlsFile(truststorePath, truststorePassword, mqttUrl, "bridge.mqtt.truststore");
    tlsFile(keystorePath, keystorePassword, mqttUrl, "bridge.mqtt.keystore");
    if (caFile != null) {
      tlsFile(caFile, null, mqttUrl, "bridge.mqtt.tls.ca-file");
      if (truststorePath != null) {
        throw new IllegalArgumentException(
            "bridge.mqtt.tls.ca-file and bridge.mqtt.truststore.path are both set: use one");
      }
    }
    if (reconnectMinMs < 1) {
      throw new IllegalArgumentException(
          "bridge.reconnect.min-ms must be positive, got " + reconnectMinMs);
    }
    if (reconnectMaxMs < reconnectMinMs) {
      throw new IllegalArgumentException(
          "bridge.reconnect.max-ms must be at least bridge.reconnect.min-ms ("
              + reconnectMinMs
              + "), got "
              + reconnectMaxMs);
    }
    if (registryPath != null
        && !(Files.isRegularFile(registryPath) && Files.isReadable(registryPath))) {
      throw new IllegalArgumentException(REGISTRY_KEY + " is not a readable file: " + registryPath);
    }
    if (usersPath != null && !(Files.isRegularFile(usersPath) && Files.isReadable(usersPath))) {
      throw new IllegalArgumentException(USERS_KEY + " is not a readable file: " + usersPath);
    }
  }

  // A store (or CA file) must come with an ssl:// URL and be readable; a password needs its file.
  private static void tlsFile(Path file, char[] password, String mqttUrl, String prefix) {
    String key = prefix.endsWith("ca-file") ? prefix : prefix + ".path";
    if (file != null) {
      if (!mqttUrl.startsWith("ssl://")) {
        throw new IllegalArgumentException(key + " is set but bridge.mqtt.url is not ssl://");
      }
      if (!Files.isReadable(file) || Files.isDirectory(file)) {
        throw new IllegalArgumentException(key + " is not a readable file: " + file);
      }
    } else if (password != null) {
      throw new IllegalArgumentException(prefix + ".password is set but " + key + " is not");
    }
  }

  /** The local city's bridge: anonymous, plain TCP, MQTT 3.1.1, one instance on {@code city/#}. */
  public static BridgeSettings local(String mqttUrl, String kafkaBootstrap) {
    return new BridgeSettings(
        mqttUrl,
        "citybrain-bridge-1",
        null,
        null,
        kafkaBootstrap,
        "city/#",
        DEFAULT_MAX_IN_FLIGHT,
        null,
        null,
        DEFAULT_RECONNECT_MIN_MS,
        DEFAULT_RECONNECT_MAX_MS,
        MqttVersion.V3_1_1,
        SESSION_NEVER_EXPIRES,
        null,
        null,
        null,
        null,
        KafkaSecurity.NONE,
        IngestValidator.DEFAULT_MAX_AGE,
        null);
  }

  /** {@link #fromProperties(Properties, Map)} without environment: no Kafka secrets. */
  public static BridgeSettings fromProperties(Properties p) {
    return fromProperties(p, Map.of());
  }

  /**
   * Reads the keys named on the record components; missing optional keys take their defaults.
   * Numbers that do not parse fail naming their key. Kafka's secrets come from {@code env} only.
   */
  public static BridgeSettings fromProperties(Properties p, Map<String, String> env) {
    String truststore = p.getProperty("bridge.mqtt.truststore.path");
    String registry = p.getProperty(REGISTRY_KEY);
    String keystore = p.getProperty("bridge.mqtt.keystore.path");
    String caFile = p.getProperty("bridge.mqtt.tls.ca-file");
    return new BridgeSettings(
        p.getProperty("bridge.mqtt.url"),
        p.getProperty("bridge.mqtt.client-id"),
        p.getProperty("bridge.mqtt.username"),
        chars(p.getProperty("bridge.mqtt.password")),
        p.getProperty("bridge.kafka.bootstrap-servers"),
        p.getProperty("bridge.mqtt.subscription", "city/#"),
        ProcessSettings.intNumber(p, "bridge.max-in-flight", DEFAULT_MAX_IN_FLIGHT),
        truststore == null ? null : Path.of(truststore),
        chars(p.getProperty("bridge.mqtt.truststore.password")),
        ProcessSettings.number(p, "bridge.reconnect.min-ms", DEFAULT_RECONNECT_MIN_MS),
        ProcessSettings.number(p, "bridge.reconnect.max-ms", DEFAULT_RECONNECT_MAX_MS),
        MqttVersion.parse(p.getProperty("bridge.mqtt.version", MqttVersion.V3_1_1.key())),
        ProcessSettings.number(p, "bridge.mqtt.session-expiry-s", SESSION_NEVER_EXPIRES),
        caFile == null ? null : Path.of(caFile),
        keystore == null ? null : Path.of(keystore),
        chars(p.getProperty("bridge.mqtt.keystore.password")),
        registry == null || registry.isBlank() ? null : Path.of(registry.trim()),
        KafkaSecurity.from("bridge.", p::getProperty, env),
        maxReadingAge(p.getProperty(MAX_READING_AGE_KEY)),
        p.getProperty(USERS_KEY, "").isBlank() ? null : Path.of(p.getProperty(USERS_KEY).trim()));
  }

  /** The same settings with broker credentials. */
  public BridgeSettings withCredentials(String username, char[] password) {
    return toBuilder().credentials(username, password).build();
  }

  /** The same settings with a users file ({@link #usersPath}). */
  public BridgeSettings withUsers(Path usersPath) {
    return toBuilder().usersPath(usersPath).build();
  }

  /** The same settings with a device registry. */
  public BridgeSettings withRegistry(Path registryPath) {
    return toBuilder().registryPath(registryPath).build();
  }

  /**
   * The same settings with another maximum reading age; {@link IngestValidator#NO_AGE_LIMIT} for a
   * bridge that replays recorded history (its readings are hours or days old by design).
   */
  public BridgeSettings withMaxReadingAge(Duration maxReadingAge) {
    return toBuilder().maxReadingAge(maxReadingAge).build();
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
    private final String mqttUrl;
    private String clientId;
    private String username;
    private char[] password;
    private final String kafkaBootstrap;
    private String subscription;
    private final int maxInFlight;
    private final Path truststorePath;
    private final char[] truststorePassword;
    private final long reconnectMinMs;
    private final long reconnectMaxMs;
    private MqttVersion mqttVersion;
    private final long sessionExpirySeconds;
    private final Path caFile;
    private final Path keystorePath;
    private final char[] keystorePassword;
    private Path registryPath;
    private final KafkaSecurity kafkaSecurity;
    private Duration maxReadingAge;
    private Path usersPath;

    private Builder(BridgeSettings s) {
      mqttUrl = s.mqttUrl;
      clientId = s.clientId;
      username = s.username;
      password = s.password;
      kafkaBootstrap = s.kafkaBootstrap;
      subscription = s.subscription;
      maxInFlight = s.maxInFlight;
      truststorePath = s.truststorePath;
      truststorePassword = s.truststorePassword;
      reconnectMinMs = s.reconnectMinMs;
      reconnectMaxMs = s.reconnectMaxMs;
      mqttVersion = s.mqttVersion;
      sessionExpirySeconds = s.sessionExpirySeconds;
      caFile = s.caFile;
      keystorePath = s.keystorePath;
      keystorePassword = s.keystorePassword;
      registryPath = s.registryPath;
      kafkaSecurity = s.kafkaSecurity;
      maxReadingAge = s.maxReadingAge;
      usersPath = s.usersPath;
    }

    /** One of N instances sharing load: its own client id and (shared) subscription. */
    public Builder instance(String clientId, String subscription) {
      this.clientId = clientId;
      this.subscription = subscription;
      return this;
    }

    public Builder credentials(String username, char[] password) {
      this.username = username;
      this.password = password;
      return this;
    }

    public Builder mqttVersion(MqttVersion version) {
      this.mqttVersion = version;
      return this;
    }

    public Builder registryPath(Path path) {
      this.registryPath = path;
      return this;
    }

    public Builder maxReadingAge(Duration age) {
      this.maxReadingAge = age;
      return this;
    }

    public Builder usersPath(Path path) {
      this.usersPath = path;
      return this;
    }

    public BridgeSettings build() {
      return new BridgeSettings(
          mqttUrl,
          clientId,
          username,
          password,
          kafkaBootstrap,
          subscription,
          maxInFlight,
          truststorePath,
          truststorePassword,
          reconnectMinMs,
          reconnectMaxMs,
          mqttVersion,
          sessionExpirySeconds,
          caFile,
          keystorePath,
          keystorePassword,
          registryPath,
          kafkaSecurity,
          maxReadingAge,
          usersPath);
    }
  }

  /**
   * {@code bridge.max-reading-age}: unset is the default, {@code 0} no limit, else ISO-8601 ({@code
   * PT2H}).
   */
  public static Duration maxReadingAge(String value) {
    if (value == null || value.isBlank()) {
      return IngestValidator.DEFAULT_MAX_AGE;
    }
    String v = value.trim();
    if (v.equals("0")) {
      return IngestValidator.NO_AGE_LIMIT;
    }
    try {
      return Duration.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          MAX_READING_AGE_KEY
              + " must be an ISO-8601 duration such as PT2H, or 0 for no "
              + "limit, got '"
              + value
              + "'");
    }
  }

  private static char[] chars(String s) {
    return s == null ? null : s.toCharArray();
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " must be set");
    }
  }

  @Override
  public String toString() {
    // Never the passwords: only whether they are set.
    return "BridgeSettings[mqttUrl="
        + mqttUrl
        + ", clientId="
        + clientId
        + ", username="
        + username
        + ", password="
        + (password == null ? "unset" : "***")
        + ", kafka="
        + kafkaBootstrap
        + " ("
        + kafkaSecurity
        + ")"
        + ", subscription="
        + subscription
        + ", maxInFlight="
        + maxInFlight
        + ", truststore="
        + truststorePath
        + ", truststorePassword="
        + (truststorePassword == null ? "unset" : "***")
        + ", reconnect="
        + reconnectMinMs
        + ".."
        + reconnectMaxMs
        + "ms, mqttVersion="
        + mqttVersion.key()
        + ", sessionExpiry="
        + sessionExpirySeconds
        + "s, caFile="
        + caFile
        + ", keystore="
        + keystorePath
        + ", keystorePassword="
        + (keystorePassword == null ? "unset" : "***")
        + ", registry="
        + registryPath
        + ", maxReadingAge="
        + (maxReadingAge.isZero() ? "no limit" : maxReadingAge)
        + ", users="
        + usersPath
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BridgeSettings b
        && mqttUrl.equals(b.mqttUrl)
        && clientId.equals(b.clientId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mqttUrl, clientId);
  }
}
