package io.citybrain.deploy.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.console.ConsoleMain;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console service reading a real InfluxDB through InfluxQL (issue 20): Debian's {@code influxd}
 * 1.6.7 holding the jobs' recorded points (the Grafana test's fixture), the console started as
 * {@code ./citybrain console} starts it with {@code console.store.dialect=influxql}. Its {@code
 * /api/live} must show the latest row of every district, segment and pipeline stage, each equal to
 * what InfluxDB itself answers for that series' newest point. InfluxDB 2.x and 3.x serve the same
 * InfluxQL on {@code /query}; neither can be installed here.
 */
class ConsoleOnInfluxDbITCase {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static InfluxD influx;
  private static EmbeddedMqttBroker broker;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    influx =
        InfluxD.start(
            GrafanaQueriesITCase.requireInfluxd(InfluxD.binary(), System.getenv("CI")),
            Files.createDirectories(dir.resolve("influx")),
            Duration.ofSeconds(90));
    influx.query(null, "CREATE DATABASE " + GrafanaQueriesITCase.DB);
    influx.write(GrafanaQueriesITCase.DB, GrafanaQueriesITCase.fixture());
    broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {kafka, broker}) {
      if (c != null) {
        c.close();
      }
    }
    if (influx != null) {
      influx.close();
    }
  }

  @Test
  void theConsoleShowsTheNewestPointOfEverySeriesFromInfluxDb() throws Exception {
    Properties p = new Properties();
    p.setProperty("console.http.port", "0");
    p.setProperty("console.ops.http.port", "-1");
    p.setProperty("console.store.url", influx.base().toString());
    p.setProperty("console.store.dialect", "influxql");
    p.setProperty("console.store.database", GrafanaQueriesITCase.DB);
    // The fixture is a recorded hour of days ago: look back far enough to reach it.
    p.setProperty(
        "console.store.lookback",
        Duration.between(GrafanaQueriesITCase.FROM, Instant.now()).plusDays(1).toString());
    p.setProperty("console.kafka.bootstrap-servers", kafka.bootstrapServers());
    p.setProperty("console.mqtt.url", broker.url());
    try (ConsoleMain.Running console = ConsoleMain.start(p, Map.of())) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(console.server().url().resolve("/api/live")).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode live = JSON.readTree(r.body());
      assertThat(live.path("problems")).as(r.body()).isEmpty();

      JsonNode districts = live.path("districts");
      assertThat(districts.size()).isEqualTo(series("traffic_district", "district"));
      for (JsonNode d : districts) {
        String code = d.path("district").asText();
        JsonNode newest =
            newest(
                "SELECT tti, level, samples FROM traffic_district WHERE district = '"
                    + code
                    + "' ORDER BY time DESC LIMIT 1");
        assertThat(d.path("tti").asDouble()).as(code).isEqualTo(newest.path(1).asDouble());
        assertThat(d.path("level").asInt()).as(code).isEqualTo(newest.path(2).asInt());
        assertThat(d.path("samples").asLong()).as(code).isEqualTo(newest.path(3).asLong());
        // The store's instant in QuestDB's print, so the figures compare either store's alike.
        assertThat(Instant.parse(d.path("timestamp").asText()))
            .isEqualTo(Instant.ofEpochMilli(newest.path(0).asLong()));
        assertThat(d.path("timestamp").asText())
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
      }
      assertThat(live.path("figures").path("districtsReporting").asInt())
          .isEqualTo(districts.size());
      assertThat(live.path("figures").path("lastWindow").asText())
          .isEqualTo(
              districts.findValuesAsText("timestamp").stream()
                  .max(String::compareTo)
                  .orElseThrow());
      assertThat(live.path("segments").size()).isEqualTo(series("traffic_segment", "segment"));
      assertThat(live.path("pipeline").findValuesAsText("stage")).contains("bridge");
      assertThat(live.path("figures").path("eventsIn").asLong()).isPositive();

      // A district's trend through InfluxQL: the windows of the last hour only, oldest first.
      long now = System.currentTimeMillis() / 60_000 * 60_000;
      influx.write(
          GrafanaQueriesITCase.DB,
          "traffic_district,district=330106 tti=1.5,level=1i,mean_speed_kmh=31.0,samples=3i "
              + (now - 300_000)
              + "\ntraffic_district,district=330106 tti=1.25,level=0i,mean_speed_kmh=35.0,samples=4i "
              + (now - 600_000)
              + "\n");
      JsonNode trend =
          JSON.readTree(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(
                              console.server().url().resolve("/api/trend?district=330106"))
                          .GET()
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(trend.path("points").findValues("tti"))
          .extracting(JsonNode::asDouble)
          .containsExactly(1.25, 1.5);
      assertThat(Instant.parse(trend.path("points").get(0).path("timestamp").asText()))
          .isEqualTo(Instant.ofEpochMilli(now - 600_000));
    }
  }

  /** How many values of one tag the fixture's points of one measurement have. */
  private static int series(String measurement, String tag) throws Exception {
    java.util.regex.Pattern value =
        java.util.regex.Pattern.compile("^" + measurement + ",\\S*?\\b" + tag + "=([^, ]+)");
    return (int)
        GrafanaQueriesITCase.fixture()
            .lines()
            .map(value::matcher)
            .filter(java.util.regex.Matcher::find)
            .map(m -> m.group(1))
            .distinct()
            .count();
  }

  /** The newest point InfluxDB answers for a query, as [time (ms), fields...]. */
  private static JsonNode newest(String influxQl) throws Exception {
    JsonNode values =
        JSON.readTree(influx.query(GrafanaQueriesITCase.DB, influxQl))
            .at("/results/0/series/0/values/0");
    assertThat(values.isMissingNode()).as(influxQl).isFalse();
    return values;
  }
}
