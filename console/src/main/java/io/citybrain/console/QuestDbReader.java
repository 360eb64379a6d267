package io.citybrain.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QuestDB's dialect: SQL with {@code LATEST ON} over its HTTP {@code /exec} endpoint (a JSON answer
 * of {@code columns} and {@code dataset}). Thread-safe: the JDK client is, and nothing else is
 * kept.
 */
final class QuestDbReader extends StoreHttp {

  QuestDbReader(ConsoleSettings.Store store, ObjectMapper json) {
    super(store, json);
  }

  static String sql(Latest m) {
    return "SELECT "
        + m.tag()
        + ", "
        + String.join(", ", m.fields())
        + ", timestamp FROM "
        + m.measurement()
        + " LATEST ON timestamp PARTITION BY "
        + m.tag()
        + " ORDER BY "
        + m.tag();
  }

  static String historySql(Latest m, String value, java.time.Duration span) {
    return "SELECT timestamp, "
        + String.join(", ", m.fields())
        + " FROM "
        + m.measurement()
        + " WHERE "
        + m.tag()
        + " = '"
        + value
        + "' AND timestamp > dateadd('s', -"
        + span.toSeconds()
        + ", now()) ORDER BY timestamp";
  }

  @Override
  public List<Map<String, Object>> latest(Latest m) throws IOException, InterruptedException {
    return query(sql(m));
  }

  @Override
  public List<Map<String, Object>> history(Latest m, String value, java.time.Duration span)
      throws IOException, InterruptedException {
    return query(historySql(m, value, span));
  }

  /** The rows of one query as column-name maps, in the store's order. */
  List<Map<String, Object>> query(String sql) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        get("/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    JsonNode body = json.readTree(response.body());
    if (response.statusCode() != 200 || body.has("error")) {
      throw new IOException(
          "the store refused '"
              + sql
              + "': "
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
