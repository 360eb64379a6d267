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
 * QuestDB's dialect: SQL with {@code LATEST ON} over its HTTP {@code /exec} endpoint (a JSON answer
 * of {@code columns} and {@code dataset}). Thread-safe: the JDK client is, and nothing else is kept.
 */
final class QuestDbReader implements IndicatorReader {

  private final String baseUrl;
  private final String authorization;
  private final HttpClient http;
  private final ObjectMapper json;

  QuestDbReader(ConsoleSettings.Store store, ObjectMapper json) {
    String url = store.url();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.authorization = IndicatorReader.authorization(store);
    this.json = json;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  static String sql(Latest m) {
    return "SELECT " + m.tag() + ", " + String.join(", ", m.fields()) + ", timestamp FROM " + m.measurement()
        + " LATEST ON timestamp PARTITION BY " + m.tag() + " ORDER BY " + m.tag();
  }

  @Override
  public List<Map<String, Object>> latest(Latest m) throws IOException, InterruptedException {
    return query(sql(m));
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
