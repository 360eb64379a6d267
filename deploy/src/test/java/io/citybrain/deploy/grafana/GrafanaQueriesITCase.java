package io.citybrain.deploy.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.deploy.grafana.Dashboards.Dashboard;
import io.citybrain.deploy.grafana.Dashboards.Target;
import io.citybrain.deploy.grafana.Dashboards.Variable;
import io.citybrain.deploy.grafana.GrafanaMacros.Selection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of every dashboard, run on a real InfluxDB (Debian's 1.6.7 {@code influxd}) over the
 * recorded points of {@code grafana/recorded-points.lp}, after Grafana's substitutions: each must
 * return rows, with the columns its aliases name, a value in every column and the tags it groups
 * by. A query naming a measurement, field or tag the jobs do not write comes back empty, with an
 * all-null column or with empty tags, and fails here.
 *
 * <p>Variables are run as Grafana runs them (in order, each seeing the ones before) and the panels
 * twice: with "All" (the custom all-value) and with every value selected ({@code (a|b|c)}).
 */
class GrafanaQueriesITCase {

  /** The hour the fixture covers (the morning rush of 2026-11-24, UTC). */
  static final Instant FROM = Instant.parse("2026-11-24T07:00:00Z");

  static final Instant TO = Instant.parse("2026-11-24T08:00:00Z");
  static final String DB = "citybrain";
  static final String FIXTURE = "/grafana/recorded-points.lp";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code $name}, {@code ${name}} or {@code [[name]]}; a bare {@code $} is a regex anchor. */
  private static final Pattern LEFT_OVER = Pattern.compile("\\$\\{?\\w|\\[\\[\\w");

  @TempDir static Path dir;
  static InfluxD influx;

  @BeforeAll
  static void startInfluxWithRecordedPoints() throws Exception {
    influx =
        InfluxD.start(
            requireInfluxd(InfluxD.binary(), System.getenv("CI")), dir, Duration.ofSeconds(90));
    influx.query(null, "CREATE DATABASE " + DB);
    influx.write(DB, fixture());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (influx != null) {
      influx.close();
    }
  }

  /**
   * The influxd to run; without one the test is skipped, except in CI, where a missing package
   * means the dashboards would ship unchecked.
   */
  static Path requireInfluxd(Optional<Path> binary, String ciEnv) {
    if (binary.isPresent()) {
      return binary.get();
    }
    String hint =
        "no influxd on this machine (Debian package 'influxdb': apt-get install -y influxdb; "
            + ".ci/run installs it; or point -Dcitybrain.influxd / INFLUXD at one)";
    if ("true".equalsIgnoreCase(ciEnv)) {
      throw new AssertionError("CI=true but " + hint);
    }
    return Assumptions.abort("dashboard queries not checked: " + hint);
  }

  static String fixture() throws IOException {
    try (InputStream in = GrafanaQueriesITCase.class.getResourceAsStream(FIXTURE)) {
      if (in == null) {
        throw new IOException(FIXTURE + " is not on the test classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @TestFactory
  Stream<DynamicNode> everyPanelQueryReturnsRowsOfItsShape() throws Exception {
    List<DynamicNode> boards = new ArrayList<>();
    for (Dashboard d : Dashboards.all()) {
      Map<String, List<String>> values = new LinkedHashMap<>();
      Map<String, String> allValues = new LinkedHashMap<>();
      List<DynamicNode> nodes = new ArrayList<>();
      for (Variable v : d.variables()) {
        // Grafana runs a variable's query with the variables before it set to "All".
        String q =
            GrafanaMacros.interpolate(v.query(), FROM, TO, null, new Selection(values, allValues));
        List<String> found = tagValues(influx.query(DB, q));
        nodes.add(
            DynamicTest.dynamicTest(
                "variable $" + v.name(),
                () ->
                    assertThat(found)
                        .as("values of $%s in %s from %s", v.name(), d.file(), q)
                        .isNotEmpty()));
        values.put(v.name(), found.isEmpty() ? List.of("none") : found);
        if (v.includeAll() && v.allValue() != null) {
          allValues.put(v.name(), v.allValue());
        }
      }
      Selection all = new Selection(values, allValues);
      Selection everyValue = new Selection(values, Map.of());
      for (Target t : d.targets()) {
        nodes.add(
            DynamicTest.dynamicTest(
                t.panelTitle() + " " + t.refId() + " (All)", () -> check(t, all)));
        nodes.add(
            DynamicTest.dynamicTest(
                t.panelTitle() + " " + t.refId() + " (every value)", () -> check(t, everyValue)));
      }
      boards.add(DynamicContainer.dynamicContainer(d.file(), nodes));
    }
    return boards.stream();
  }

  /** Proof that the check catches what it is for: the same query, broken three ways, fails. */
  @Test
  void aQueryNamingWhatTheJobsDoNotWriteFails() throws Exception {
    Target good =
        new Target(
            "test",
            1,
            "district TTI",
            "A",
            "SELECT mean(\"tti\") AS \"tti\" FROM \"traffic_district\" WHERE $timeFilter GROUP BY time($__interval), \"district\"",
            "time_series",
            "1m");
    Selection none = new Selection(Map.of(), Map.of());
    check(good, none);

    Target field =
        new Target(
            "test",
            1,
            "misspelt field",
            "A",
            good.query().replace("mean(\"tti\")", "mean(\"ttl\")"),
            "time_series",
            "1m");
    assertThatThrownBy(() -> check(field, none))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no rows");

    Target measurement =
        new Target(
            "test",
            1,
            "misspelt measurement",
            "A",
            good.query().replace("\"traffic_district\"", "\"traffic_districts\""),
            "time_series",
            "1m");
    assertThatThrownBy(() -> check(measurement, none))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no rows");

    Target tag =
        new Target(
            "test",
            1,
            "misspelt tag",
            "A",
            good.query().replace("\"district\"", "\"distrikt\""),
            "time_series",
            "1m");
    assertThatThrownBy(() -> check(tag, none))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("distrikt");

    Target secondField =
        new Target(
            "test",
            1,
            "one good field, one misspelt",
            "A",
            good.query().replace("AS \"tti\"", "AS \"tti\", mean(\"mean_sped_kmh\") AS \"speed\""),
            "time_series",
            "1m");
    assertThatThrownBy(() -> check(secondField, none))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("speed");
  }

  static void check(Target t, Selection selection) throws Exception {
    QueryShape shape = QueryShape.of(t.query());
    String q = GrafanaMacros.interpolate(t.query(), FROM, TO, t.minInterval(), selection);
    assertThat(q)
        .as("%s: a Grafana variable or macro is left after substitution", t)
        .doesNotContainPattern(LEFT_OVER);
    JsonNode body = JSON.readTree(influx.query(DB, q));
    JsonNode result = body.path("results").path(0);
    if (body.has("error") || result.has("error")) {
      fail(
          "%s: InfluxDB refused%n  %s%n  %s",
          t, q, body.has("error") ? body.get("error") : result.get("error"));
    }
    JsonNode series = result.path("series");
    if (series.isEmpty()) {
      fail(
          "%s returned no rows over the recorded points: a measurement, field or tag it names is not what the "
              + "jobs write (or the fixture lacks it)%n  %s",
          t, q);
    }
    for (JsonNode s : series) {
      List<String> columns = new ArrayList<>();
      s.path("columns").forEach(c -> columns.add(c.asText()));
      assertThat(columns)
          .as("%s: columns of series %s%n  %s", t, s.path("tags"), q)
          .containsExactlyElementsOf(shape.columns());
      for (String tag : shape.groupByTags()) {
        assertThat(s.path("tags").has(tag))
            .as("%s: series without the GROUP BY tag '%s'%n  %s", t, tag, q)
            .isTrue();
      }
    }
    for (int c = 1; c < shape.columns().size(); c++) {
      assertThat(hasValue(series, c))
          .as(
              "%s: column '%s' is null in every row: a field it reads is not written%n  %s",
              t, shape.columns().get(c), q)
          .isTrue();
    }
    for (String tag : shape.groupByTags()) {
      boolean anyValue = false;
      for (JsonNode s : series) {
        anyValue |= !s.path("tags").path(tag).asText("").isEmpty();
      }
      assertThat(anyValue)
          .as(
              "%s: GROUP BY tag '%s' is empty in every series: the tag is not written%n  %s",
              t, tag, q)
          .isTrue();
    }
  }

  private static boolean hasValue(JsonNode series, int column) {
    for (JsonNode s : series) {
      for (JsonNode row : s.path("values")) {
        if (!row.path(column).isNull() && !row.path(column).isMissingNode()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The values of a SHOW TAG VALUES answer. */
  static List<String> tagValues(String body) throws IOException {
    JsonNode result = JSON.readTree(body).path("results").path(0);
    if (result.has("error")) {
      throw new IOException("InfluxDB refused a variable query: " + result.get("error"));
    }
    List<String> values = new ArrayList<>();
    for (JsonNode s : result.path("series")) {
      for (JsonNode row : s.path("values")) {
        values.add(row.path(1).asText());
      }
    }
    return values.stream().distinct().sorted().toList();
  }
}
