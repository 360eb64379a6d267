package io.citybrain.connectors.kafka;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;

/**
 * How every citybrain Kafka client (the jobs' sources and sinks, the bridge, alert dispatch, {@code
 * city publish}) authenticates to the brokers and checks them: one set of keys, the same in every
 * process under that process's prefix ({@code bridge.}, {@code dispatch.}, none for the jobs).
 *
 * <ul>
 *   <li>{@value #PROTOCOL}: {@code PLAINTEXT} (default: no key given means exactly the client
 *       properties of before), {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}.
 *   <li>{@value #MECHANISM}: {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512};
 *       required with a SASL protocol and refused without one.
 *   <li>{@value #USERNAME}, or the environment variable {@value #USERNAME_ENV} (a key wins).
 *   <li>{@value #TRUSTSTORE_LOCATION} and {@value #TRUSTSTORE_TYPE} ({@code PKCS12}, {@code JKS} or
 *       {@code PEM}): the CA that signed the brokers' certificates; without them the JVM's default
 *       CAs (enough for MSK or Confluent Cloud, not for Strimzi's own cluster CA).
 *   <li>{@value #KEYSTORE_LOCATION} and {@value #KEYSTORE_TYPE}: a client certificate, for brokers
 *       that require mutual TLS.
 * </ul>
 *
 * <p>Secrets come only from the environment: {@value #PASSWORD_ENV}, {@value
 * #TRUSTSTORE_PASSWORD_ENV}, {@value #KEYSTORE_PASSWORD_ENV}, {@value #KEY_PASSWORD_ENV}. A secret
 * given as a key (in a properties file, a {@code -D} or {@code --} argument, a Flink configuration)
 * stops start-up: it would be readable in {@code ps}, in the Flink web UI or in a manifest.
 * Decision: there is no raw {@code sasl.jaas.config} key; the JAAS line is built here from the
 * username and password with Kafka's own login modules, so a Strimzi {@code KafkaUser} Secret's
 * {@code password} key is all a pod needs.
 *
 * <p>Every check runs in {@link #from}: a wrong or missing value fails naming its key (with the
 * process's prefix) or its variable, before any client exists. Immutable and serializable (the jobs
 * carry it inside the job graph); {@link #toString()} never shows a secret.
 */
public final class KafkaSecurity implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String PROTOCOL = "kafka.security.protocol";
  public static final String MECHANISM = "kafka.sasl.mechanism";
  public static final String USERNAME = "kafka.sasl.username";
  public static final String TRUSTSTORE_LOCATION = "kafka.ssl.truststore.location";
  public static final String TRUSTSTORE_TYPE = "kafka.ssl.truststore.type";
  public static final String KEYSTORE_LOCATION = "kafka.ssl.keystore.location";
  public static final String KEYSTORE_TYPE = "kafka.ssl.keystore.type";

  /** Every key a process accepts (without its prefix). */
  public static final List<String> KEYS =
      List.of(
          PROTOCOL,
          MECHANISM,
          USERNAME,
          TRUSTSTORE_LOCATION,
          TRUSTSTORE_TYPE,
          KEYSTORE_LOCATION,
          KEYSTORE_TYPE);

  public static final String USERNAME_ENV = "CITYBRAIN_KAFKA_SASL_USERNAME";
  public static final String PASSWORD_ENV = "CITYBRAIN_KAFKA_SASL_PASSWORD";
  public static final String TRUSTSTORE_PASSWORD_ENV = "CITYBRAIN_KAFKA_SSL_TRUSTSTORE_PASSWORD";
  public static final String KEYSTORE_PASSWORD_ENV = "CITYBRAIN_KAFKA_SSL_KEYSTORE_PASSWORD";
  public static final String KEY_PASSWORD_ENV = "CITYBRAIN_KAFKA_SSL_KEY_PASSWORD";

  /** Keys that would hold a secret → the variable to use instead. */
  public static final Map<String, String> SECRET_KEYS =
      Map.of(
          "kafka.sasl.password", PASSWORD_ENV,
          "kafka.sasl.jaas.config", PASSWORD_ENV,
          "kafka.ssl.truststore.password", TRUSTSTORE_PASSWORD_ENV,
          "kafka.ssl.keystore.password", KEYSTORE_PASSWORD_ENV,
          "kafka.ssl.key.password", KEY_PASSWORD_ENV);

  public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
  private static final List<String> STORE_TYPES = List.of("PKCS12", "JKS", "PEM");

  /** No security: what every client did before these keys existed. */
  public static final KafkaSecurity NONE =
      new KafkaSecurity(SecurityProtocol.PLAINTEXT, Map.of(), "PLAINTEXT");

  private final SecurityProtocol protocol;

  /** The Kafka client properties; a LinkedHashMap (serializable) so that the order is stable. */
  private final LinkedHashMap<String, String> clientProperties;

  private final String description;

  private KafkaSecurity(
      SecurityProtocol protocol, Map<String, String> clientProperties, String description) {
    this.protocol = protocol;
    this.clientProperties = new LinkedHashMap<>(clientProperties);
    this.description = description;
  }

  /**
   * Reads and checks the settings.
   *
   * @param prefix the process's prefix of every key ({@code bridge.}, {@code dispatch.}, or empty)
   * @param settings key (with prefix) → value, null when unset
   * @param env the process environment; only the variables named above are read
   * @throws IllegalArgumentException naming the first wrong key or variable
   */
  public static KafkaSecurity from(
      String prefix, Function<String, String> settings, Map<String, String> env) {
    SECRET_KEYS.forEach(
        (key, variable) -> {
          if (settings.apply(prefix + key) != null) {
            throw new IllegalArgumentException(
                prefix
                    + key
                    + " must not be given as a setting (files, arguments and "
                    + "configurations are readable by others): set the environment variable "
                    + variable
                    + " instead");
          }
        });
    String protocolName = trimmed(settings.apply(prefix + PROTOCOL));
    SecurityProtocol protocol =
        protocolName == null ? SecurityProtocol.PLAINTEXT : protocol(prefix, protocolName);
    boolean sasl =
        protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    boolean tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;

    Map<String, String> props = new LinkedHashMap<>();
    StringBuilder description = new StringBuilder(protocol.name);
    if (protocol != SecurityProtocol.PLAINTEXT) {
      props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
    }

    String mechanism = trimmed(settings.apply(prefix + MECHANISM));
    String username = trimmed(settings.apply(prefix + USERNAME));
    if (username == null) {
      username = trimmed(env.get(USERNAME_ENV));
    }
    String password = env.get(PASSWORD_ENV);
    if (sasl) {
      if (mechanism == null) {
        throw new IllegalArgumentException(
            prefix
                + MECHANISM
                + " must be set when "
                + prefix
                + PROTOCOL
                + " is "
                + protocol.name
                + " (one of "
                + String.join(", ", MECHANISMS)
                + ")");
      }
      mechanism = mechanism.toUpperCase(Locale.ROOT);
      if (!MECHANISMS.contains(mechanism)) {
        throw new IllegalArgumentException(
            prefix
                + MECHANISM
                + " must be one of "
                + String.join(", ", MECHANISMS)
                + ", got '"
                + mechanism
                + "'");
      }
      if (username == null) {
        throw new IllegalArgumentException(
            prefix
                + USERNAME
                + " (or the environment variable "
                + USERNAME_ENV
                + ") must be set when "
                + prefix
                + PROTOCOL
                + " is "
                + protocol.name);
      }
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException(
            "the environment variable "
                + PASSWORD_ENV
                + " must hold the SASL password when "
                + prefix
                + PROTOCOL
                + " is "
                + protocol.name);
      }
      props.put(SaslConfigs.SASL_MECHANISM, mechanism);
      props.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(mechanism, username, password));
      description.append(", mechanism=").append(mechanism).append(", username=").append(username);
    } else {
      String stray =
          mechanism != null
              ? prefix + MECHANISM
              : settings.apply(prefix + USERNAME) != null
                  ? prefix + USERNAME
                  : password != null ? "the environment variable " + PASSWORD_ENV : null;
      if (stray != null) {
        throw new IllegalArgumentException(
            stray
                + " is set but "
                + prefix
                + PROTOCOL
                + " is "
                + protocol.name
                + ": SASL needs SASL_PLAINTEXT or SASL_SSL");
      }
    }

    String truststore =
        store(
            prefix,
            TRUSTSTORE_LOCATION,
            TRUSTSTORE_TYPE,
            TRUSTSTORE_PASSWORD_ENV,
            settings,
            env,
            tls,
            protocol,
            props,
            SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            false);
    String keystore =
        store(
            prefix,
            KEYSTORE_LOCATION,
            KEYSTORE_TYPE,
            KEYSTORE_PASSWORD_ENV,
            settings,
            env,
            tls,
            protocol,
            props,
            SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
            SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
            SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            true);
    String keyPassword = env.get(KEY_PASSWORD_ENV);
    if (keyPassword != null) {
      if (keystore == null) {
        throw new IllegalArgumentException(
            "the environment variable "
                + KEY_PASSWORD_ENV
                + " is set but "
                + prefix
                + KEYSTORE_LOCATION
                + " is not");
      }
      props.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, keyPassword);
    }
    if (truststore != null) {
      description.append(", truststore=").append(truststore);
    }
    if (keystore != null) {
      description.append(", keystore=").append(keystore);
    }
    return new KafkaSecurity(protocol, props, description.toString());
  }

  private static SecurityProtocol protocol(String prefix, String name) {
    try {
      return SecurityProtocol.forName(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          prefix
              + PROTOCOL
              + " must be one of "
              + String.join(", ", SecurityProtocol.names())
              + ", got '"
              + name
              + "'");
    }
  }

  /**
   * Checks one store (truststore or keystore) and adds its properties; returns its location or
   * null. A keystore needs its password (Kafka cannot read a client key without one); a PEM
   * truststore must not have one (Kafka refuses it).
   */
  private static String store(
      String prefix,
      String locationKey,
      String typeKey,
      String passwordEnv,
      Function<String, String> settings,
      Map<String, String> env,
      boolean tls,
      SecurityProtocol protocol,
      Map<String, String> props,
      String locationConfig,
      String typeConfig,
      String passwordConfig,
      boolean passwordRequired) {
    String location = trimmed(settings.apply(prefix + locationKey));
    String type = trimmed(settings.apply(prefix + typeKey));
    String password = env.get(passwordEnv);
    if (location == null) {
      if (type != null) {
        throw new IllegalArgumentException(
            prefix + typeKey + " is set but " + prefix + locationKey + " is not");
      }
      if (password != null) {
        throw new IllegalArgumentException(
            "the environment variable "
                + passwordEnv
                + " is set but "
                + prefix
                + locationKey
                + " is not");
      }
      return null;
    }
    if (!tls) {
      throw new IllegalArgumentException(
          prefix
              + locationKey
              + " is set but "
              + prefix
              + PROTOCOL
              + " is "
              + protocol.name
              + ": TLS needs SSL or SASL_SSL");
    }
    Path file = Path.of(location);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(
          prefix + locationKey + " is not a readable file: " + location);
    }
    props.put(locationConfig, file.toAbsolutePath().toString());
    if (type != null) {
      type = type.toUpperCase(Locale.ROOT);
      if (!STORE_TYPES.contains(type)) {
        throw new IllegalArgumentException(
            prefix
                + typeKey
                + " must be one of "
                + String.join(", ", STORE_TYPES)
                + ", got '"
                + type
                + "'");
      }
      props.put(typeConfig, type);
    }
    boolean pem = "PEM".equals(type);
    if (password != null && pem && !passwordRequired) {
      throw new IllegalArgumentException(
          "the environment variable "
              + passwordEnv
              + " is set but a PEM "
              + prefix
              + locationKey
              + " takes no password");
    }
    if (password == null && passwordRequired) {
      throw new IllegalArgumentException(
          "the environment variable "
              + passwordEnv
              + " must hold the password of "
              + prefix
              + locationKey);
    }
    if (password != null) {
      props.put(passwordConfig, password);
    }
    return location;
  }

  /**
   * The client's JAAS line in Kafka's documented form ({@code <LoginModule> required username="…"
   * password="…";}), with Kafka's own login module for the mechanism. Kafka parses it with a {@link
   * java.io.StreamTokenizer}, whose quoted strings take backslash escapes: a password with a quote,
   * a backslash or a line break survives (a test reads it back with Kafka's parser).
   */
  static String jaasConfig(String mechanism, String username, String password) {
    String module =
        "PLAIN".equals(mechanism)
            ? PlainLoginModule.class.getName()
            : ScramLoginModule.class.getName();
    return module
        + " required username="
        + quoted(username)
        + " password="
        + quoted(password)
        + ";";
  }

  private static String quoted(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String trimmed(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  public SecurityProtocol protocol() {
    return protocol;
  }

  /**
   * The Kafka client properties to add to a producer's, consumer's or admin client's; empty for
   * PLAINTEXT.
   */
  public Map<String, String> clientProperties() {
    return java.util.Collections.unmodifiableMap(clientProperties);
  }

  /** Adds {@link #clientProperties()} to {@code p} and returns it. */
  public Properties applyTo(Properties p) {
    p.putAll(clientProperties);
    return p;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaSecurity k && clientProperties.equals(k.clientProperties);
  }

  @Override
  public int hashCode() {
    return clientProperties.hashCode();
  }

  /** The protocol, mechanism, username and store locations; never a password. */
  @Override
  public String toString() {
    return description;
  }
}
