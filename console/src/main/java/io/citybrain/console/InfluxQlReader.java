package io.citybrain.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * InfluxQL over {@code GET /query}: the one read API that InfluxDB 1.x, 2.x (through the bucket's
 * DBRP mapping) and 3.x (Core and Enterprise) all serve, so one console reads any of them. The
 * latest point of each series is {@code GROUP BY <tag> ORDER BY time DESC LIMIT 1}: unlike {@code
 * last()} on several fields, it keeps the point's own time.
 *
 * <p>Tested on a real InfluxDB 1.6.7 ({@code ConsoleOnInfluxDbITCase} in deploy) and on the answers
 * InfluxDB documents ({@code InfluxQlReaderTest}); 2.x and 3.x cannot be installed on the build
 * machines (README, "The time-series store"). Thread-safe.
 */
final class InfluxQlReader extends StoreHttp {

  /**
   * QuestDB's way of printing a timestamp, so that the figures compare them as strings either way.
   */
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String database;
  private final Duration lookback;

  InfluxQlReader(ConsoleSettings.Store store, ObjectMapper json) {
    super(store, json);
    this.database = store.database();
    this.lookback = store.lookback();
  }

  /**
   * {@code SELECT "a", "b" FROM "m"}: identifiers double-quoted, so that InfluxQL's keywords cannot
   * bite later.
   */
  private static StringBuilder select(Latest m) {
    StringBuilder q = new StringBuilder("SELECT ");
    for (int i = 0; i < m.fields().size(); i++) {
      q.append(i == 0 ? "" : ", ").append('"').append(m.fields().get(i)).append('"');
    }
    return q.append(" FROM \"").append(m.measurement()).append('"');
  }

  static String influxQl(Latest m, Duration lookback) {
    return select(m)
        .append(" WHERE time > now() - ")
        .append(lookback.toSeconds())
        .append("s GROUP BY \"")
        .append(m.tag())
        .append("\" ORDER BY time DESC LIMIT 1")
        .toString();
  }

  static String historyQl(Latest m, String value, Duration span) {
    return select(m)
        .append(" WHERE \"")
        .append(m.tag())
        .append("\" = '")
        .append(value)
        .append("' AND time > now() - ")
        .append(span.toSeconds())
        .append("s ORDER BY time ASC")
        .toString();
  }

  @Override
  public List<Map<String, Object>> history(Latest m, String value, Duration span)
      throws IOException, InterruptedException {
    String q = historyQl(m, value, span);
    List<Map<String, Object>> rows = rows(m, q, ask(q));
    rows.sort(java.util.Comparator.comparing(r -> String.valueOf(r.get("timestamp"))));
    return rows;
  }

  @Override
  public List<Map<String, Object>> latest(Latest m) throws IOException, InterruptedException {
    String q = influxQl(m, lookback);
    return rows(m, q, ask(q));
  }

  private HttpResponse<byte[]> ask(String q) throws IOException, InterruptedException {
    return get(
        "/query?db="
            + URLEncoder.encode(database, StandardCharsets.UTF_8)
            + "&epoch=u&q="
            + URLEncoder.encode(q, StandardCharsets.UTF_8));
  }

  private List<Map<String, Object>> rows(Latest m, String q, HttpResponse<byte[]> response)
      throws IOException {
    return rows(m, q, response.statusCode(), response.body());
  }

  /** The rows of one answer of {@code /query}, or an exception quoting the store's error. */
  List<Map<String, Object>> rows(Latest m, String q, int status, byte[] body) throws IOException {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      throw new IOException("the store answered '" + q + "' with HTTP " + status + " and no JSON");
    }
    JsonNode result = root.path("results").path(0);
    String error =
        root.has("error")
            ? root.path("error").asText()
            : result.has("error") ? result.path("error").asText() : null;
    if (status != 200 || error != null) {
      throw new IOException(
          "the store refused '" + q + "': " + (error != null ? error : "HTTP " + status));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (JsonNode series : result.path("series")) {
      List<String> columns = new ArrayList<>();
      series.path("columns").forEach(c -> columns.add(c.asText()));
      for (JsonNode values : series.path("values")) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(m.tag(), series.path("tags").path(m.tag()).asText(null));
        Object time = null;
        for (int i = 0; i < columns.size(); i++) {
          JsonNode v = values.path(i);
          if (columns.get(i).equals("time")) {
            time =
                v.isIntegralNumber()
                    ? TIMESTAMP.format(Instant.EPOCH.plus(v.asLong(), ChronoUnit.MICROS))
                    : v.asText(null);
          } else {
            row.put(columns.get(i), v.isNull() ? null : json.convertValue(v, Object.class));
          }
        }
        row.put("timestamp", time);
        rows.add(row);
      }
    }
    rows.sort(Comparator.comparing(r -> String.valueOf(r.get(m.tag()))));
    return rows;
  }
}
