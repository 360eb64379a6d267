package io.citybrain.console;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.kafka.KafkaSecurity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What the console needs to start. Validated here, so a wrong value stops start-up with a message
 * naming its key (the keys of {@link #fromProperties}, which {@code ./citybrain console} and the
 * Kubernetes Deployment use).
 *
 * @param host the address the console listens on: the loopback interface on a laptop, {@code
 *     0.0.0.0} in a pod behind a Service
 * @param port HTTP port of the console; 0 picks a free one
 * @param store where the indicators are read
 * @param kafkaBootstrap Kafka bootstrap servers, for {@code city.alerts}
 * @param kafkaSecurity how the console reaches Kafka (TLS, SASL), as every other citybrain process
 * @param mqttUrl MQTT broker URL, for acknowledgements on {@code city/ack/<alertId>}
 * @param mqttUser account to publish acknowledgements with, or null on a broker without
 *     authentication
 * @param mqttPassword its password, or null
 * @param refresh how long one snapshot of the live figures is served before the store is asked
 *     again
 * @param hosts host names a browser may reach the console by besides 127.0.0.1, localhost and [::1]
 *     (e.g. a name in /etc/hosts), on the console's own port; any other {@code Host} header is
 *     refused, which is what keeps a DNS-rebinding page out
 * @param publicUrls the addresses a browser uses when the console sits behind a proxy or an ingress
 *     ({@code https://ops.city.example}): their host is accepted in {@code Host} and their origin
 *     for state changes
 * @param tls the console's own TLS (a PKCS12 key store), or null for plain HTTP (on loopback, or
 *     behind an ingress that terminates TLS)
 * @param token the token a state change (acknowledge) needs, or null for a read-only console; the
 *     local city makes a random one per start. Not with {@code usersFile}: with logins, people sign
 *     in
 * @param usersFile the users file ({@code console.users.file}, issue 20): people log in with their
 *     own account and see and act on only what their role and scope cover; null for the token
 * @param sessionKey the key that signs session cookies ({@code CITYBRAIN_CONSOLE_SESSION_KEY}, at
 *     least 32 characters), the same for every replica so that a session holds across them; null
 *     for a random key per process (one replica: a restart signs everyone out)
 */
public record ConsoleSettings(
    String host,
    int port,
    Store store,
    String kafkaBootstrap,
    KafkaSecurity kafkaSecurity,
    String mqttUrl,
    String mqttUser,
    char[] mqttPassword,
    Duration refresh,
    List<String> hosts,
    List<URI> publicUrls,
    Tls tls,
    char[] token,
    Path usersFile,
    char[] sessionKey) {

  /**
   * The keys {@link #fromProperties} reads; any other {@code console.*} key is refused as a typo.
   */
  public static final String PREFIX = "console.";

  public static final int DEFAULT_PORT = 8080;

  /** The shortest token accepted: it guards every state change until logins come (issue 20). */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** Secrets from the environment (variable → key), so that they appear on no command line. */
  public static final Map<String, String> SECRETS =
      Map.of(
          "CITYBRAIN_CONSOLE_MQTT_PASSWORD", "console.mqtt.password",
          "CITYBRAIN_CONSOLE_STORE_PASSWORD", "console.store.password",
          "CITYBRAIN_CONSOLE_STORE_TOKEN", "console.store.token",
          "CITYBRAIN_CONSOLE_TOKEN", "console.token",
          "CITYBRAIN_CONSOLE_TLS_KEYSTORE_PASSWORD", "console.tls.keystore.password",
          "CITYBRAIN_CONSOLE_SESSION_KEY", "console.session.key");

  /**
   * The shortest session key accepted: 32 characters of a random string carry well over 128 bits.
   */
  public static final int MIN_SESSION_KEY_LENGTH = 32;

  /** Read by {@link ConsoleMain} rather than here, and the operations port's keys. */
  static final Set<String> PROCESS_KEYS =
      Set.of(
          "console.city.package",
          "console.city.seed",
          "console.ops.http.port",
          "console.ops.http.host");

  private static final Set<String> KEYS =
      Set.of(
          "console.http.host",
          "console.http.port",
          "console.public-urls",
          "console.hosts",
          "console.store.url",
          "console.store.dialect",
          "console.store.database",
          "console.store.username",
          "console.store.password",
          "console.store.token",
          "console.store.lookback",
          "console.kafka.bootstrap-servers",
          "console.mqtt.url",
          "console.mqtt.username",
          "console.mqtt.password",
          "console.refresh",
          "console.tls.keystore",
          "console.tls.keystore.password",
          "console.token",
          "console.users.file",
          "console.session.key");

  /** A host name or address as it appears in a {@code Host} header, without the port. */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

  /** How the store is asked. */
  public enum Dialect {
    /**
     * SQL on {@code /exec} with {@code LATEST ON}: QuestDB, the local city's and the cluster's
     * store.
     */
    QUESTDB,
    /**
     * InfluxQL on {@code /query}, which InfluxDB 1.x, 2.x (with a DBRP mapping of the bucket) and
     * 3.x all serve: production.
     */
    INFLUXQL
  }

  /**
   * The indicator store.
   *
   * @param url base URL of its HTTP API
   * @param database InfluxQL's {@code db} (the bucket's DBRP name on 2.x, the database on 3.x);
   *     null for QuestDB
   * @param user basic-authentication account (QuestDB's {@code http.user}, InfluxDB 1.x), or null
   * @param password its password, or null
   * @param token an InfluxDB API token with read access ({@code Authorization: Token}), or null
   * @param lookback how far back InfluxQL looks for each series' latest point (QuestDB's {@code
   *     LATEST ON} needs no bound; InfluxDB 3 refuses a query over too many files without one)
   */
  public record Store(
      String url,
      Dialect dialect,
      String database,
      String user,
      char[] password,
      char[] token,
      Duration lookback) {
    public Store {
      requireUri("console.store.url", url, "http");
      Objects.requireNonNull(dialect, "console.store.dialect");
      if (dialect == Dialect.INFLUXQL && (database == null || database.isBlank())) {
        throw new IllegalArgumentException(
            "console.store.database is required with console.store.dialect influxql "
                + "(the bucket's DBRP database on InfluxDB 2.x, the database on 3.x)");
      }
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException(
            "console.store.username and console.store.password go together: give both or neither");
      }
      if (user != null && token != null) {
        throw new IllegalArgumentException(
            "console.store.username and console.store.token exclude each other: give one");
      }
      Objects.requireNonNull(lookback, "console.store.lookback");
      if (lookback.isNegative() || lookback.isZero()) {
        throw new IllegalArgumentException(
            "console.store.lookback must be positive, got " + lookback);
      }
    }

    /** QuestDB at {@code url} with basic authentication (or none: both null). */
    public static Store questDb(String url, String user, char[] password) {
      return new Store(url, Dialect.QUESTDB, null, user, password, null, Duration.ofDays(1));
    }

    @Override
    public String toString() {
      return "Store[url="
          + url
          + ", dialect="
          + dialect
          + ", database="
          + database
          + ", user="
          + user
          + (token == null ? "" : ", token=(set)")
          + ", lookback="
          + lookback
          + "]";
    }
  }

  /** The console's own TLS: a PKCS12 key store with its certificate chain and key. */
  public record Tls(Path keystore, char[] password) {
    public Tls {
      if (!Files.isReadable(keystore)) {
        throw new IllegalArgumentException(
            "console.tls.keystore " + keystore + " is not a readable file");
      }
      if (password == null) {
        throw new IllegalArgumentException(
            "console.tls.keystore needs its password in CITYBRAIN_CONSOLE_TLS_KEYSTORE_PASSWORD");
      }
    }

    @Override
    public String toString() {
      return "Tls[keystore=" + keystore + "]";
    }
  }

  public ConsoleSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(
          "console.http.host is required (127.0.0.1 on a laptop, 0.0.0.0 in a pod)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("console.http.port must be within 0..65535, got " + port);
    }
    Objects.requireNonNull(store, "console.store.url");
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("console.kafka.bootstrap-servers is required");
    }
    kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.NONE : kafkaSecurity;
    requireUri("console.mqtt.url", mqttUrl, "tcp", "ssl");
    if ((mqttUser == null) != (mqttPassword == null)) {
      throw new IllegalArgumentException(
          "console.mqtt.username and console.mqtt.password go together: give both or neither");
    }
    Objects.requireNonNull(refresh, "console.refresh");
    if (refresh.isNegative() || refresh.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("console.refresh must be within 0..60 s, got " + refresh);
    }
    hosts =
        hosts == null
            ? List.of()
            : hosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    for (String h : hosts) {
      if (!HOST.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "console.hosts must name hosts without port or scheme (e.g. citybrain.lan), got '"
                + h
                + "'");
      }
    }
    publicUrls = publicUrls == null ? List.of() : List.copyOf(publicUrls);
    for (URI u : publicUrls) {
      if (u.getScheme() == null
          || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null
          || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
          || u.getQuery() != null) {
        throw new IllegalArgumentException(
            "console.public-urls must be origins such as https://ops.city.example, got " + u);
      }
    }
    if (token != null && token.length < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "console.token (CITYBRAIN_CONSOLE_TOKEN) must have at least "
              + MIN_TOKEN_LENGTH
              + " characters, got "
              + token.length);
    }
    if (usersFile != null) {
      if (!Files.isRegularFile(usersFile) || !Files.isReadable(usersFile)) {
        throw new IllegalArgumentException(
            "console.users.file " + usersFile + " is not a readable file");
      }
      if (token != null) {
        throw new IllegalArgumentException(
            "console.token (CITYBRAIN_CONSOLE_TOKEN) and console.users.file exclude each other: "
                + "with a users file people sign in with their own accounts");
      }
    }
    if (sessionKey != null && sessionKey.length < MIN_SESSION_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "console.session.key (CITYBRAIN_CONSOLE_SESSION_KEY) must have at least "
              + MIN_SESSION_KEY_LENGTH
              + " characters, got "
              + sessionKey.length);
    }
  }

  /** The local city's console: loopback, anonymous MQTT, one-second snapshots, a random token. */
  public static ConsoleSettings local(
      int port, String storeUrl, String kafkaBootstrap, String mqttUrl) {
    return new ConsoleSettings(
        "127.0.0.1",
        port,
        Store.questDb(storeUrl, null, null),
        kafkaBootstrap,
        KafkaSecurity.NONE,
        mqttUrl,
        null,
        null,
        Duration.ofSeconds(1),
        List.of(),
        List.of(),
        null,
        ConsoleDoor.randomToken().toCharArray(),
        null,
        null);
  }

  /**
   * Reads the {@code console.*} keys (see docs/operations.md, "The console as a service"); Kafka
   * security as {@link KafkaSecurity} says, under {@code console.}.
   *
   * @param env the environment, for Kafka's secrets (the others are in {@code p} already, see
   *     {@link #SECRETS})
   * @throws IllegalArgumentException naming the first wrong or unknown key
   */
  public static ConsoleSettings fromProperties(Properties p, Map<String, String> env) {
    // Kafka's secret keys are left to KafkaSecurity, which names the variable to use instead.
    Set<String> candidates = new TreeSet<>(KEYS);
    candidates.addAll(PROCESS_KEYS);
    KafkaSecurity.KEYS.forEach(k -> candidates.add(PREFIX + k));
    KafkaSecurity.SECRET_KEYS.keySet().forEach(k -> candidates.add(PREFIX + k));
    ProcessSettings.refuseUnknown(
        p, PREFIX, candidates, "docs/operations.md, \"The console as a service\"");
    Dialect dialect;
    String dialectName = p.getProperty("console.store.dialect", "questdb").strip();
    try {
      dialect = Dialect.valueOf(dialectName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "console.store.dialect must be questdb or influxql, got '" + dialectName + "'");
    }
    Store store =
        new Store(
            p.getProperty("console.store.url"),
            dialect,
            p.getProperty("console.store.database"),
            blankToNull(p.getProperty("console.store.username")),
            chars(p.getProperty("console.store.password")),
            chars(p.getProperty("console.store.token")),
            duration(p, "console.store.lookback", Duration.ofDays(1)));
    String keystore = blankToNull(p.getProperty("console.tls.keystore"));
    Tls tls =
        keystore == null
            ? null
            : new Tls(Path.of(keystore), chars(p.getProperty("console.tls.keystore.password")));
    List<URI> publicUrls = new ArrayList<>();
    for (String u : list(p.getProperty("console.public-urls"))) {
      try {
        publicUrls.add(URI.create(u));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("console.public-urls: not a URL: " + u, e);
      }
    }
    return new ConsoleSettings(
        p.getProperty("console.http.host", "127.0.0.1").strip(),
        ProcessSettings.intNumber(p, "console.http.port", DEFAULT_PORT),
        store,
        p.getProperty("console.kafka.bootstrap-servers"),
        KafkaSecurity.from(PREFIX, p::getProperty, env),
        p.getProperty("console.mqtt.url"),
        blankToNull(p.getProperty("console.mqtt.username")),
        chars(p.getProperty("console.mqtt.password")),
        duration(p, "console.refresh", Duration.ofSeconds(1)),
        list(p.getProperty("console.hosts")),
        publicUrls,
        tls,
        chars(p.getProperty("console.token")),
        blankToNull(p.getProperty("console.users.file")) == null
            ? null
            : Path.of(p.getProperty("console.users.file").strip()),
        chars(p.getProperty("console.session.key")));
  }

  public ConsoleSettings withMqttCredentials(String user, char[] password) {
    return toBuilder().mqttCredentials(user, password).build();
  }

  /** With the store's HTTP credentials (the local city's QuestDB requires them). */
  public ConsoleSettings withStoreCredentials(String user, char[] password) {
    return toBuilder()
        .store(
            new Store(
                store.url(),
                store.dialect(),
                store.database(),
                user,
                password,
                store.token(),
                store.lookback()))
        .build();
  }

  /** People log in with the accounts of {@code file} (see {@link #usersFile()}); no token. */
  public ConsoleSettings withUsers(Path file) {
    return toBuilder().users(file).build();
  }

  private static Duration duration(Properties p, String key, Duration fallback) {
    String v = blankToNull(p.getProperty(key));
    if (v == null) {
      return fallback;
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          key + " must be an ISO-8601 duration such as PT1S or PT24H, got '" + v + "'");
    }
  }

  private static List<String> list(String v) {
    return v == null
        ? List.of()
        : Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static char[] chars(String v) {
    return v == null || v.isEmpty() ? null : v.toCharArray();
  }

  private static void requireUri(String key, String value, String... schemes) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is required");
    }
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " is not a URL: " + value, e);
    }
    if (uri.getScheme() == null
        || Arrays.stream(schemes).noneMatch(uri.getScheme()::startsWith)
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          key + " must be a " + String.join(" or ", schemes) + " URL with a host, got " + value);
    }
  }

  @Override
  public String toString() {
    // The passwords and the token stay out of logs and exception messages.
    return "ConsoleSettings[host="
        + host
        + ", port="
        + port
        + ", store="
        + store
        + ", kafkaBootstrap="
        + kafkaBootstrap
        + ", kafkaSecurity="
        + kafkaSecurity
        + ", mqttUrl="
        + mqttUrl
        + ", mqttUser="
        + mqttUser
        + ", refresh="
        + refresh
        + ", hosts="
        + hosts
        + ", publicUrls="
        + publicUrls
        + ", tls="
        + tls
        + ", token="
        + (token == null ? "none" : "(set)")
        + ", users="
        + usersFile
        + ", sessionKey="
        + (sessionKey == null ? "random" : "(set)")
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
    private String host;
    private int port;
    private Store store;
    private String kafkaBootstrap;
    private KafkaSecurity kafkaSecurity;
    private String mqttUrl;
    private String mqttUser;
    private char[] mqttPassword;
    private Duration refresh;
    private List<String> hosts;
    private List<URI> publicUrls;
    private Tls tls;
    private char[] token;
    private Path usersFile;
    private char[] sessionKey;

    private Builder(ConsoleSettings s) {
      host = s.host;
      port = s.port;
      store = s.store;
      kafkaBootstrap = s.kafkaBootstrap;
      kafkaSecurity = s.kafkaSecurity;
      mqttUrl = s.mqttUrl;
      mqttUser = s.mqttUser;
      mqttPassword = s.mqttPassword;
      refresh = s.refresh;
      hosts = s.hosts;
      publicUrls = s.publicUrls;
      tls = s.tls;
      token = s.token;
      usersFile = s.usersFile;
      sessionKey = s.sessionKey;
    }

    public Builder mqttCredentials(String user, char[] password) {
      this.mqttUser = user;
      this.mqttPassword = password;
      return this;
    }

    public Builder store(Store store) {
      this.store = store;
      return this;
    }

    /** People log in with the accounts of {@code file}; no token then. */
    public Builder users(Path file) {
      this.usersFile = file;
      this.token = null;
      return this;
    }

    public ConsoleSettings build() {
      return new ConsoleSettings(
          host,
          port,
          store,
          kafkaBootstrap,
          kafkaSecurity,
          mqttUrl,
          mqttUser,
          mqttPassword,
          refresh,
          hosts,
          publicUrls,
          tls,
          token,
          usersFile,
          sessionKey);
    }
  }
}
