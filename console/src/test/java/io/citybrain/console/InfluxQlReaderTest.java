package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The InfluxQL dialect against answers in the shape InfluxDB documents for {@code GET /query} (1.x
 * "Query data with the InfluxDB API", 2.x "InfluxQL with the v1 compatibility API", 3.x "Use the v1
 * HTTP query API"), errors included; the same rows then go through the figures as QuestDB's do. A
 * real InfluxDB 1.x answers in deploy's {@code ConsoleOnInfluxDbITCase}.
 */
class InfluxQlReaderTest {

  private static final InfluxQlReader READER =
      new InfluxQlReader(
          new ConsoleSettings.Store(
              "http://influxdb:8086",
              ConsoleSettings.Dialect.INFLUXQL,
              "citybrain",
              null,
              null,
              "t".toCharArray(),
              Duration.ofHours(24)),
          new ObjectMapper());

  private static List<Map<String, Object>> rows(IndicatorReader.Latest m, int status, String body)
      throws Exception {
    return READER.rows(m, "q", status, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theLatestPointOfEachSeriesKeepsItsOwnTime() {
    assertThat(InfluxQlReader.influxQl(IndicatorReader.DISTRICTS, Duration.ofHours(24)))
        .isEqualTo(
            "SELECT \"tti\", \"level\", \"mean_speed_kmh\", \"congested_km\", \"samples\" FROM \"traffic_district\" "
                + "WHERE time > now() - 86400s GROUP BY \"district\" ORDER BY time DESC LIMIT 1");
    assertThat(InfluxQlReader.influxQl(IndicatorReader.PIPELINE, Duration.ofMinutes(30)))
        .isEqualTo(
            "SELECT \"events_in\", \"events_out\", \"deadletter\", \"lag_ms\" FROM \"pipeline\" "
                + "WHERE time > now() - 1800s GROUP BY \"stage\" ORDER BY time DESC LIMIT 1");
  }

  @Test
  void eachSeriesBecomesARowWithTheTagAndAQuestDbTimestamp() throws Exception {
    String body =
        """
        {"results":[{"statement_id":0,"series":[
          {"name":"traffic_district","tags":{"district":"330108"},"columns":["time","tti","level","mean_speed_kmh","congested_km","samples"],
           "values":[[1767600060000000,2.5,3,18.0,4.25,12]]},
          {"name":"traffic_district","tags":{"district":"330106"},"columns":["time","tti","level","mean_speed_kmh","congested_km","samples"],
           "values":[[1767600000123456,1.75,2,31.5,null,9]]}]}]}""";
    List<Map<String, Object>> rows = rows(IndicatorReader.DISTRICTS, 200, body);
    assertThat(rows).extracting(r -> r.get("district")).containsExactly("330106", "330108");
    assertThat(rows.get(0))
        .containsEntry("tti", 1.75)
        .containsEntry("level", 2)
        .containsEntry("samples", 9)
        .containsEntry("congested_km", null)
        .containsEntry("timestamp", "2026-01-05T08:00:00.123456Z");
    assertThat(rows.get(1)).containsEntry("timestamp", "2026-01-05T08:01:00.000000Z");
    // The same figures as from QuestDB's rows: the newest window, the congested districts.
    LiveSnapshot.Figures f = LiveReader.figures(rows, List.of(), List.of(), List.of());
    assertThat(f.lastWindow()).isEqualTo("2026-01-05T08:01:00.000000Z");
    assertThat(f.congestedDistricts()).isEqualTo(2);
  }

  @Test
  void aDistrictsHistoryIsItsRowsOfTheSpanOldestFirst() {
    assertThat(InfluxQlReader.historyQl(IndicatorReader.TREND, "330106", Duration.ofHours(1)))
        .isEqualTo(
            "SELECT \"tti\", \"mean_speed_kmh\" FROM \"traffic_district\" WHERE \"district\" = '330106' "
                + "AND time > now() - 3600s ORDER BY time ASC");
  }

  @Test
  void noSeriesIsNoRow() throws Exception {
    assertThat(rows(IndicatorReader.SEGMENTS, 200, "{\"results\":[{\"statement_id\":0}]}"))
        .isEmpty();
  }

  @Test
  void theStoresErrorIsQuoted() {
    assertThatThrownBy(
            () ->
                rows(
                    IndicatorReader.PIPELINE,
                    200,
                    "{\"results\":[{\"statement_id\":0,\"error\":\"database not found: citybrain\"}]}"))
        .hasMessage("the store refused 'q': database not found: citybrain");
    assertThatThrownBy(
            () ->
                rows(
                    IndicatorReader.PIPELINE,
                    400,
                    "{\"error\":\"error parsing query: found EOF\"}"))
        .hasMessage("the store refused 'q': error parsing query: found EOF");
    assertThatThrownBy(() -> rows(IndicatorReader.PIPELINE, 502, "<html>Bad Gateway</html>"))
        .hasMessage("the store answered 'q' with HTTP 502 and no JSON");
  }
}
