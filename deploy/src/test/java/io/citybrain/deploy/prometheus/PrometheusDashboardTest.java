package io.citybrain.deploy.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations dashboard over Prometheus (deploy/grafana/dashboards-prometheus): every panel
 * queries the provisioned Prometheus data source, and every query parses as PromQL (promtool,
 * through a rule file of one recording rule per query). Its metric names are checked against real
 * scrapes where the processes run: ClusterChecks (bridge, dispatch, Kafka clients) and
 * IncidentQuotaITCase (Flink's reporter).
 */
class PrometheusDashboardTest {

  static final Path DASHBOARD = Path.of("grafana", "dashboards-prometheus", "operations.json");

  static List<String> queries(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        out.add(t.path("expr").asText());
      }
    }
    return out;
  }

  @Test
  void everyPanelQueriesTheProvisionedPrometheusAndEveryQueryParses(@TempDir Path dir)
      throws Exception {
    PrometheusRulesTest.promtoolIsThere();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    JsonNode source =
        new YAMLMapper()
            .readTree(
                Path.of("grafana", "provisioning", "datasources", "citybrain-prometheus.yaml")
                    .toFile())
            .path("datasources")
            .path(0);
    assertThat(source.path("type").asText()).isEqualTo("prometheus");
    List<String> wrong = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      for (JsonNode ds :
          List.of(p.path("datasource"), p.path("targets").path(0).path("datasource"))) {
        if (!ds.path("uid").asText().equals(source.path("uid").asText())) {
          wrong.add(p.path("title").asText());
        }
      }
    }
    assertThat(wrong).as("panels on another data source").isEmpty();
    List<String> queries = queries(dashboard);
    assertThat(queries).hasSizeGreaterThan(10).noneMatch(String::isBlank);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      rules
          .append("      - record: dashboard_query_")
          .append(i)
          .append("\n        expr: ")
          .append(new ObjectMapper().writeValueAsString(queries.get(i)))
          .append('\n');
    }
    Files.writeString(dir.resolve("queries.yaml"), rules);
    assertThat(PrometheusRulesTest.promtool(dir, "check", "rules", "queries.yaml"))
        .contains(queries.size() + " rules found");
  }
}
