package io.citybrain.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.questdb.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QuestDB in this JVM: the local city's time-series store. It accepts the InfluxDB v2 write API
 * ({@code /api/v2/write}) that influxdb-client-java uses, so the jobs write to it exactly as they
 * write to InfluxDB in production. Reads use QuestDB's SQL over HTTP ({@code /exec}).
 *
 * <p>The contract's measurements are created up front ({@link QuestDbSchema}) with deduplication
 * keys, so that a replayed window overwrites its row instead of adding a second one.
 *
 * <p>Only the HTTP port listens (PG wire, ILP over TCP and UDP, the minimal health server and
 * metrics are off), on loopback. Loopback is no protection against a web page in the operator's
 * browser ({@code <img src=".../exec?query=drop table ...">}), so the local city starts it with
 * {@link #start(Path, int, String, char[])}: QuestDB's HTTP basic authentication ({@code
 * http.user}, {@code http.password}) then guards every endpoint, SQL and line-protocol writes
 * alike, and only citybrain's own parts hold the password (issue 23).
 */
public final class EmbeddedQuestDb implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ServerMain server;
  private final int httpPort;
  private final String user;
  private final String authorization;

  private EmbeddedQuestDb(ServerMain server, int httpPort, String user, String authorization) {
    this.server = server;
    this.httpPort = httpPort;
    this.user = user;
    this.authorization = authorization;
  }

  /**
   * An open store: anyone who reaches its port may read, write and drop (tests, and the cluster's
   * store process).
   *
   * @param root QuestDB's root directory (tables live under {@code root/db})
   * @param httpPort HTTP port for writes and queries, 0 for an ephemeral one
   */
  public static EmbeddedQuestDb start(Path root, int httpPort) {
    return start(root, httpPort, null, null);
  }

  /**
   * A store whose every HTTP endpoint needs these credentials (basic authentication): SQL on {@code
   * /exec} and line-protocol writes without them are refused with 401.
   *
   * @param user the account, e.g. {@code citybrain}; null with {@code password} null for an open
   *     store
   * @param password its password (ASCII, e.g. {@link MqttUsers#randomPassword()})
   */
  public static EmbeddedQuestDb start(Path root, int httpPort, String user, char[] password) {
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException(
          "the store's user and password go together: give both or neither");
    }
    int port = FreePorts.resolve(httpPort);
    Map<String, String> env = new HashMap<>(System.getenv());
    // Never inherited: an open store must not pick up credentials, nor a guarded one other
    // credentials.
    env.remove("QDB_HTTP_USER");
    env.remove("QDB_HTTP_PASSWORD");
    if (user != null) {
      env.put("QDB_HTTP_USER", user);
      env.put("QDB_HTTP_PASSWORD", new String(password));
    }
    env.put("QDB_HTTP_BIND_TO", "127.0.0.1:" + port);
    env.put("QDB_HTTP_MIN_ENABLED", "false");
    env.put("QDB_PG_ENABLED", "false");
    env.put("QDB_LINE_TCP_ENABLED", "false");
    env.put("QDB_LINE_UDP_ENABLED", "false");
    env.put("QDB_TELEMETRY_ENABLED", "false");
    env.put("QDB_METRICS_ENABLED", "false");
    // The shared worker pool defaults to one thread per core; the local city shares two cores with
    // Kafka and Flink.
    env.put("QDB_SHARED_WORKER_COUNT", "2");
    try {
      Files.createDirectories(root.resolve("conf"));
      // QuestDB logs to stdout at INFO by default, and its start-up advisories (some 25 lines of
      // "SYSTEM COULD BE UNSTABLE" about ulimits and memory a laptop does not need) reach every
      // writer whatever its level: only a file writer keeps them out of the terminal. Its errors
      // surface anyway as failed writes or queries of citybrain's own, which do reach the terminal.
      Files.writeString(
          root.resolve("conf/log.conf"),
          String.join(
              "\n",
              "writers=file",
              "w.file.class=io.questdb.log.LogFileWriter",
              "w.file.location=" + root.toAbsolutePath().resolve("questdb.log"),
              "w.file.level=INFO,ERROR,CRITICAL,ADVISORY",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // QuestDB's logging is configured once per JVM, from the file this property names.
    System.setProperty("out", root.toAbsolutePath().resolve("conf/log.conf").toString());
    ServerMain server = ServerMain.create(root.toAbsolutePath().toString(), env);
    server.start();
    EmbeddedQuestDb db =
        new EmbeddedQuestDb(server, port, user, user == null ? null : basic(user, password));
    db.createTables();
    return db;
  }

  /** The {@code Authorization} header QuestDB's basic authentication expects. */
  public static String basic(String user, char[] password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8));
  }

  /** The account that guards this store, or null for an open one. */
  public String user() {
    return user;
  }

  /**
   * The {@code Authorization} header of this store's credentials (also what influxdb-client-java
   * sends as {@code influx.token}: see InfluxSettings), or null for an open store. Not for logs.
   */
  public String authorization() {
    return authorization;
  }

  private void createTables() {
    for (String ddl : QuestDbSchema.CREATE_TABLES) {
      exec(ddl);
    }
  }

  /** Base URL for influxdb-client-java, e.g. {@code http://127.0.0.1:9000}. */
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int port() {
    return httpPort;
  }

  /**
   * Runs one SQL statement (with this store's credentials) and returns its rows as column-name
   * maps.
   */
  public List<Map<String, Object>> query(String sql) {
    return query(url(), authorization, sql);
  }

  /**
   * {@link #query(String)} on an open QuestDB elsewhere, e.g. in another process, at its HTTP base
   * URL.
   */
  public static List<Map<String, Object>> query(String baseUrl, String sql) {
    return query(baseUrl, null, sql);
  }

  /**
   * {@link #query(String)} on a QuestDB elsewhere.
   *
   * @param authorization its {@code Authorization} header ({@link #basic(String, char[])}), or null
   */
  public static List<Map<String, Object>> query(String baseUrl, String authorization, String sql) {
    JsonNode result = exec(baseUrl, authorization, sql);
    List<String> columns = new ArrayList<>();
    for (JsonNode c : result.path("columns")) {
      columns.add(c.path("name").asText());
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode row : result.path("dataset")) {
      Map<String, Object> r = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        r.put(columns.get(i), JSON.convertValue(row.get(i), Object.class));
      }
      rows.add(r);
    }
    return rows;
  }

  private JsonNode exec(String sql) {
    return exec(url(), authorization, sql);
  }

  private static JsonNode exec(String baseUrl, String authorization, String sql) {
    URI uri = URI.create(baseUrl + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 401) {
        throw new IllegalStateException(
            "QuestDB at "
                + baseUrl
                + " refused '"
                + sql
                + "': "
                + (authorization == null ? "it requires credentials" : "wrong credentials")
                + " (HTTP 401)");
      }
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || body.has("error")) {
        throw new IllegalStateException(
            "QuestDB refused '" + sql + "': " + body.path("error").asText(response.body()));
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("QuestDB at " + baseUrl + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while querying QuestDB", e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
