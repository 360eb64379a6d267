package io.citybrain.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SQL over the store's HTTP {@code /exec} endpoint (QuestDB's JSON answer: {@code columns} and
 * {@code dataset}). Thread-safe: the JDK client is, and nothing else is kept.
 */
final class StoreSql {

  private final String baseUrl;
  private final String authorization;
  private final HttpClient http;
  private final ObjectMapper json;

  /**
   * @param user account of the store's HTTP basic authentication, or null for an open store
   * @param password its password, or null
   */
  StoreSql(String baseUrl, String user, char[] password, ObjectMapper json) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.authorization = user == null ? null : "Basic " + java.util.Base64.getEncoder()
        .encodeToString((user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8));
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The rows of one query as column-name maps, in the store's order. */
  List<Map<String, Object>> query(String sql) throws IOException, InterruptedException {
    URI uri = URI.create(baseUrl + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 401) {
      throw new IOException("the store at " + baseUrl + " refused the console's credentials (HTTP 401)");
    }
    JsonNode body = json.readTree(response.body());
    if (response.statusCode() != 200 || body.has("error")) {
      throw new IOException("the store refused '" + sql + "': "
          + body.path("error").asText(new String(response.body(), StandardCharsets.UTF_8)));
    }
    List<String> columns = new ArrayList<>();
    for (JsonNode c : body.path("columns")) {
      columns.add(c.path("name").asText());
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode row : body.path("dataset")) {
      Map<String, Object> r = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        r.put(columns.get(i), json.convertValue(row.get(i), Object.class));
      }
      rows.add(r);
    }
    return rows;
  }
}
