package io.citybrain.deploy.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.deploy.grafana.Dashboards.Dashboard;
import io.citybrain.deploy.grafana.Dashboards.Target;
import io.citybrain.deploy.grafana.Dashboards.Variable;
import io.citybrain.deploy.grafana.GrafanaMacros.Selection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboards as files: they parse, and they hang together with the provisioning. */
class GrafanaDashboardsTest {

  private static final Pattern ENV_ONLY = Pattern.compile("\\$\\{[A-Z][A-Z0-9_]*}");

  @Test
  void theFiveDashboardsOfIssue10ArePresent() {
    assertThat(Dashboards.files())
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrder(
            "city-overview.json",
            "traffic.json",
            "utilities.json",
            "emergencies.json",
            "pipeline.json");
  }

  @Test
  void everyDashboardParsesWithAUniqueUidTitleAndPanelIds() {
    Set<String> uids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    for (Dashboard d : Dashboards.all()) {
      assertThat(d.json().path("uid").asText()).as("uid of %s", d.file()).isNotBlank();
      assertThat(uids.add(d.json().path("uid").asText()))
          .as("uid of %s is unique", d.file())
          .isTrue();
      assertThat(titles.add(d.json().path("title").asText()))
          .as("title of %s is unique", d.file())
          .isTrue();
      assertThat(d.json().path("id").isMissingNode() || d.json().path("id").isNull())
          .as("%s has no database id (Grafana assigns it on provisioning)", d.file())
          .isTrue();
      List<Integer> ids = d.panels().stream().map(p -> p.path("id").asInt(-1)).toList();
      assertThat(ids).as("panel ids of %s", d.file()).doesNotContain(-1).doesNotHaveDuplicates();
      assertThat(d.targets()).as("queries of %s", d.file()).isNotEmpty();
    }
  }

  @Test
  void everyPanelTargetAndVariableUsesTheProvisionedDatasource() {
    JsonNode ds = Dashboards.datasource();
    String uid = ds.path("uid").asText();
    assertThat(uid).isEqualTo("citybrain-influxdb");
    assertThat(ds.path("type").asText()).isEqualTo("influxdb");
    List<String> wrong = new ArrayList<>();
    for (Dashboard d : Dashboards.all()) {
      for (JsonNode p : d.panels()) {
        if (p.path("type").asText().equals("row")) {
          continue;
        }
        check(
            wrong,
            d.file() + " panel " + p.path("id").asInt() + " '" + p.path("title").asText() + "'",
            p.path("datasource"),
            uid);
        for (JsonNode t : p.path("targets")) {
          check(
              wrong,
              d.file() + " panel " + p.path("id").asInt() + " target " + t.path("refId").asText(),
              t.path("datasource"),
              uid);
        }
      }
      for (JsonNode v : d.json().path("templating").path("list")) {
        if (v.path("type").asText().equals("query")) {
          check(
              wrong, d.file() + " variable $" + v.path("name").asText(), v.path("datasource"), uid);
        }
      }
    }
    assertThat(wrong).as("references to another data source than '%s'", uid).isEmpty();
  }

  private static void check(List<String> wrong, String where, JsonNode datasource, String uid) {
    if (!datasource.path("uid").asText().equals(uid)
        || !datasource.path("type").asText().equals("influxdb")) {
      wrong.add(where + ": " + datasource);
    }
  }

  @Test
  void everyQueryIsRawInfluxQlOverTheDashboardTimeRangeWithAliasedColumns() {
    for (Dashboard d : Dashboards.all()) {
      for (Target t : d.targets()) {
        assertThat(t.query()).as("%s: raw InfluxQL", t).isNotBlank();
        assertThat(t.query())
            .as("%s: limited to the dashboard's time range", t)
            .contains("$timeFilter");
        assertThat(t.resultFormat()).as("%s: result format", t).isIn("time_series", "table");
        // Throws naming the expression when one has no alias.
        assertThat(QueryShape.of(t.query()).columns()).as("%s", t).hasSizeGreaterThan(1);
      }
      JsonNode panels = d.json().path("panels");
      for (JsonNode p : panels) {
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("rawQuery").asBoolean())
              .as("%s panel %s: rawQuery", d.file(), p.path("id"))
              .isTrue();
        }
      }
    }
  }

  @Test
  void everyVariableAQueryUsesIsDefinedBeforeIt() {
    for (Dashboard d : Dashboards.all()) {
      Set<String> defined = new HashSet<>();
      for (Variable v : d.variables()) {
        assertThat(variablesIn(v.query()))
            .as("%s: $%s uses only variables defined before it", d.file(), v.name())
            .isSubsetOf(defined);
        defined.add(v.name());
      }
      for (Target t : d.targets()) {
        assertThat(variablesIn(t.query())).as("%s: variables used", t).isSubsetOf(defined);
      }
    }
  }

  private static Set<String> variablesIn(String query) {
    Set<String> names = new HashSet<>();
    var m = Pattern.compile("\\$(\\w+)").matcher(query);
    while (m.find()) {
      if (!m.group(1).equals("timeFilter") && !m.group(1).startsWith("__")) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void theDatasourceTakesAddressDatabaseAndTokenFromTheEnvironment() {
    JsonNode ds = Dashboards.datasource();
    assertThat(ds.path("url").asText()).matches(ENV_ONLY);
    assertThat(ds.path("jsonData").path("version").asText()).isEqualTo("InfluxQL");
    assertThat(ds.path("jsonData").path("dbName").asText()).matches(ENV_ONLY);
    assertThat(ds.path("jsonData").path("httpHeaderName1").asText()).isEqualTo("Authorization");
    assertThat(ds.path("secureJsonData").path("httpHeaderValue1").asText())
        .matches("Token " + ENV_ONLY.pattern());
    assertThat(ds.has("password") || ds.has("basicAuthPassword"))
        .as("no inlined password")
        .isFalse();
  }

  @Test
  void theProviderLoadsTheDashboardsAsCode() {
    JsonNode provider = Dashboards.yaml(Dashboards.PROVIDERS).path("providers").path(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.path("allowUiUpdates").asBoolean(true)).isFalse();
    assertThat(provider.path("options").path("path").asText()).isNotBlank();
  }

  @Test
  void macrosAreSubstitutedAsGrafanaDoes() {
    Instant from = Instant.parse("2026-11-24T07:00:00Z");
    Instant to = Instant.parse("2026-11-24T08:00:00Z");
    Selection selection =
        new Selection(
            Map.of(
                "district",
                List.of("330102", "330106"),
                "zone",
                List.of("w-330106-02"),
                "zones",
                List.of("a.b")),
            Map.of("zones", ".*"));
    assertThat(
            GrafanaMacros.interpolate(
                "WHERE \"district\" =~ /^$district$/ AND \"zone\" =~ /^${zone}$/ AND \"x\" =~ /^[[zones]]$/ AND $timeFilter "
                    + "GROUP BY time($__interval) LIMIT $__interval_ms",
                from,
                to,
                "1m",
                selection))
        .isEqualTo(
            "WHERE \"district\" =~ /^(330102|330106)$/ AND \"zone\" =~ /^w-330106-02$/ AND \"x\" =~ /^.*$/ AND "
                + "time >= 1795503600000ms and time <= 1795507200000ms GROUP BY time(1m) LIMIT 60000");
    assertThat(GrafanaMacros.regexEscape("a.b/c(d)")).isEqualTo("a\\.b\\/c\\(d\\)");
  }

  @Test
  void theIntervalFollowsTheRangeAndTheMinimum() {
    assertThat(GrafanaMacros.intervalMs(Duration.ofHours(1), null)).isEqualTo(5_000);
    assertThat(GrafanaMacros.intervalMs(Duration.ofHours(1), "10s")).isEqualTo(10_000);
    assertThat(GrafanaMacros.intervalMs(Duration.ofHours(1), "1m")).isEqualTo(60_000);
    assertThat(GrafanaMacros.intervalMs(Duration.ofDays(1), "1m")).isEqualTo(60_000);
    assertThat(GrafanaMacros.intervalMs(Duration.ofDays(7), "1m")).isEqualTo(600_000);
    assertThat(GrafanaMacros.format(90_000)).isEqualTo("90s");
  }

  @Test
  void theShapeOfAQueryComesFromItsOutermostStatement() {
    QueryShape s =
        QueryShape.of(
            "SELECT count(\"state\") AS \"open\" FROM (SELECT last(\"state\") AS \"state\" FROM "
                + "\"alert\" WHERE \"district\" =~ /^(a|b)$/ GROUP BY \"kind\", \"severity\") WHERE \"state\" != 'resolved' "
                + "GROUP BY \"severity\"");
    assertThat(s.columns()).containsExactly("time", "open");
    assertThat(s.groupByTags()).containsExactly("severity");
    QueryShape rate =
        QueryShape.of(
            "SELECT sum(\"events_in\") * 1000 / $__interval_ms AS \"in\", max(\"lag_ms\") AS "
                + "\"max lag ms\" FROM \"pipeline\" WHERE $timeFilter GROUP BY time($__interval), \"stage\" fill(0)");
    assertThat(rate.columns()).containsExactly("time", "in", "max lag ms");
    assertThat(rate.groupByTags()).containsExactly("stage");
    assertThatThrownBy(() -> QueryShape.of("SELECT mean(\"tti\") FROM \"traffic_district\""))
        .hasMessageContaining("AS \"name\"")
        .hasMessageContaining("mean(\"tti\")");
  }
}
