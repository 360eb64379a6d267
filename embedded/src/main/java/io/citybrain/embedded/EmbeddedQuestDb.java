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
 */
public final class EmbeddedQuestDb implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ServerMain server;
  private final int httpPort;

  private EmbeddedQuestDb(ServerMain server, int httpPort) {
    this.server = server;
    this.httpPort = httpPort;
  }

  /**
   * @param root QuestDB's root directory (tables live under {@code root/db})
   * @param httpPort HTTP port for writes and queries, 0 for an ephemeral one
   */
  public static EmbeddedQuestDb start(Path root, int httpPort) {
    int port = FreePorts.resolve(httpPort);
    Map<String, String> env = new HashMap<>(System.getenv());
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
      Files.writeString(root.resolve("conf/log.conf"), String.join("\n",
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
    EmbeddedQuestDb db = new EmbeddedQuestDb(server, port);
    db.createTables();
    return db;
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

  /** Runs one SQL statement and returns its rows as column-name maps. */
  public List<Map<String, Object>> query(String sql) {
    return query(url(), sql);
  }

  /** {@link #query(String)} on a QuestDB elsewhere, e.g. in another process, at its HTTP base URL. */
  public static List<Map<String, Object>> query(String baseUrl, String sql) {
    JsonNode result = exec(baseUrl, sql);
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
    return exec(url(), sql);
  }

  private static JsonNode exec(String baseUrl, String sql) {
    URI uri = URI.create(baseUrl + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || body.has("error")) {
        throw new IllegalStateException("QuestDB refused '" + sql + "': " + body.path("error").asText(response.body()));
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
