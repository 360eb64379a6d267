package io.citybrain.deploy.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The dashboards and provisioning files of {@code deploy/grafana}, read as Grafana reads them:
 * panels (and the panels of collapsed rows), their query targets, and the dashboard's template
 * variables.
 */
final class Dashboards {

  /** Relative to the deploy module, where Maven runs its tests. */
  static final Path GRAFANA = Path.of("grafana");

  static final Path DASHBOARDS = GRAFANA.resolve("dashboards");
  static final Path DATASOURCES =
      GRAFANA.resolve("provisioning/datasources/citybrain-influxdb.yaml");
  static final Path PROVIDERS = GRAFANA.resolve("provisioning/dashboards/citybrain.yaml");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  /**
   * A template variable filled by a query; {@code allValue} is null when "All" means every value.
   */
  record Variable(String name, String query, boolean multi, boolean includeAll, String allValue) {}

  /** One query of one panel. {@code minInterval} is the panel's, else null. */
  record Target(
      String dashboard,
      int panelId,
      String panelTitle,
      String refId,
      String query,
      String resultFormat,
      String minInterval) {
    @Override
    public String toString() {
      return dashboard + " · " + panelTitle + " (panel " + panelId + ", " + refId + ")";
    }
  }

  record Dashboard(
      String file,
      JsonNode json,
      List<Variable> variables,
      List<JsonNode> panels,
      List<Target> targets) {}

  private Dashboards() {}

  static List<Path> files() {
    try (Stream<Path> s = Files.list(DASHBOARDS)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("no dashboards under " + DASHBOARDS.toAbsolutePath(), e);
    }
  }

  static List<Dashboard> all() {
    return files().stream().map(Dashboards::read).toList();
  }

  static Dashboard read(Path file) {
    JsonNode json;
    try {
      json = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    String name = file.getFileName().toString();
    List<Variable> variables = new ArrayList<>();
    for (JsonNode v : json.path("templating").path("list")) {
      if ("query".equals(v.path("type").asText())) {
        JsonNode q = v.path("query");
        variables.add(
            new Variable(
                v.path("name").asText(),
                q.isObject() ? q.path("query").asText() : q.asText(),
                v.path("multi").asBoolean(),
                v.path("includeAll").asBoolean(),
                v.hasNonNull("allValue") && !v.path("allValue").asText().isEmpty()
                    ? v.path("allValue").asText()
                    : null));
      }
    }
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode p : json.path("panels")) {
      panels.add(p);
      // A collapsed row keeps its panels inside itself.
      p.path("panels").forEach(panels::add);
    }
    List<Target> targets = new ArrayList<>();
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        targets.add(
            new Target(
                name,
                p.path("id").asInt(),
                p.path("title").asText(),
                t.path("refId").asText(),
                t.path("query").asText(null),
                t.path("resultFormat").asText("time_series"),
                p.hasNonNull("interval") ? p.path("interval").asText() : null));
      }
    }
    return new Dashboard(
        name, json, List.copyOf(variables), List.copyOf(panels), List.copyOf(targets));
  }

  /** The provisioned data source (the first, and only, entry of the data-source file). */
  static JsonNode datasource() {
    return yaml(DATASOURCES).path("datasources").path(0);
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not valid YAML: " + e.getMessage(), e);
    }
  }
}
