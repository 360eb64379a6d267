package io.citybrain.deploy.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.bridge.BridgeMetrics;
import io.citybrain.connectors.dispatch.AlertDispatcher;
import io.citybrain.contract.Alert;
import io.citybrain.jobs.common.PipelineTally;
import io.citybrain.jobs.emergency.CommunityTickets;
import io.citybrain.jobs.emergency.EmergencyArea;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.traffic.DistrictTraffic;
import io.citybrain.jobs.traffic.SegmentTraffic;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.jobs.utility.NightFlow;
import io.citybrain.jobs.utility.UtilityJob;
import io.citybrain.jobs.utility.UtilityZone;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The recorded points the dashboard queries run on look like what the jobs write: every line's
 * measurement, tag keys and field keys with their types are those of a point built by the jobs' own
 * converters ({@code TrafficJob.toPoint}, {@code UtilityJob.toPoint}, {@code EmergencyJob.toPoint},
 * {@code AlertDispatcher.toPoint}, the bridge's pipeline reporter) in one of their variants
 * (optional fields and tags present or absent). When a job renames a field, this fails and the
 * fixture (and the dashboards) must follow.
 */
class RecordedPointsTest {

  /**
   * Measurement, sorted tag keys, and field key → type ({@code i} integer, {@code s} string, {@code
   * f} float).
   */
  record Shape(String measurement, Set<String> tags, Map<String, Character> fields) {}

  static Shape shapeOf(String line) {
    List<String> parts = splitUnescaped(line, ' ');
    List<String> key = splitUnescaped(parts.get(0), ',');
    Set<String> tags = new HashSet<>();
    for (String t : key.subList(1, key.size())) {
      tags.add(t.substring(0, t.indexOf('=')));
    }
    Map<String, Character> fields = new TreeMap<>();
    for (String f : splitUnescaped(parts.get(1), ',')) {
      int eq = f.indexOf('=');
      String value = f.substring(eq + 1);
      char type =
          value.startsWith("\"")
              ? 's'
              : value.endsWith("i")
                  ? 'i'
                  : value.equals("true") || value.equals("false") ? 'b' : 'f';
      fields.put(f.substring(0, eq), type);
    }
    return new Shape(key.get(0), tags, fields);
  }

  /** Splits at {@code sep} outside double quotes and not escaped by a backslash. */
  static List<String> splitUnescaped(String s, char sep) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        cur.append(c);
      } else if (c == sep && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  /** Every variant of every point the jobs, dispatch and the bridge write. */
  static Set<Shape> writtenShapes() throws Exception {
    long t = Instant.parse("2026-11-24T07:01:00Z").toEpochMilli();
    List<Point> points = new ArrayList<>();
    points.add(
        TrafficJob.toPoint(
            new SegmentTraffic(
                "r-000117",
                "330102",
                "arterial",
                60,
                250,
                120.1,
                30.2,
                t,
                42.0,
                1200.0,
                0.12,
                1.43,
                17,
                20.0)));
    points.add(
        TrafficJob.toPoint(
            new SegmentTraffic(
                "r-000342",
                "330102",
                "local",
                40,
                180,
                120.1,
                30.2,
                t,
                30.0,
                null,
                null,
                1.33,
                8,
                8.0)));
    points.add(TrafficJob.toPoint(new DistrictTraffic("330102", t, 1.6, 1, 35.0, 2.5, 80)));
    for (String utility : List.of("water", "power", "gas")) {
      Double consumption = utility.equals("gas") ? null : 3.2;
      Double pressure = utility.equals("power") ? null : 310.0;
      points.add(
          UtilityJob.toPoint(
              new UtilityZone("w-330102-01", "330102", utility, t, consumption, pressure, 38, 2)));
    }
    points.add(UtilityJob.toPoint(new NightFlow("w-330102-01", "330102", t, 0.4, 180)));
    for (String community : new String[] {"c-330102-0007", null}) {
      for (Double meanAck : new Double[] {62.0, null}) {
        points.add(
            EmergencyJob.toPoint(
                new EmergencyArea("330102", community, t, 1, 1, 1, 0, 0, meanAck)));
        points.add(
            EmergencyJob.toPoint(
                new CommunityTickets("330102", community, t, 1, 1, 0, meanAck, 0, 0)));
      }
      points.add(
          AlertDispatcher.toPoint(
              new Alert(
                  "sos-dev-1",
                  "sos",
                  "critical",
                  "raised",
                  "330102",
                  community,
                  30.2,
                  120.1,
                  t,
                  "SOS",
                  null,
                  "community",
                  null)));
    }
    points.add(pipelinePoint(t));
    // The jobs' rows of the same measurement (issue 21): the same shape, or InfluxDB refuses one of
    // them.
    points.add(PipelineTally.toPoint(new PipelineTally.Counts("traffic", 900, 60, 3, 4_000, t)));
    Set<Shape> shapes = new HashSet<>();
    for (Point p : points) {
      shapes.add(shapeOf(p.toLineProtocol()));
    }
    return shapes;
  }

  /**
   * The bridge's reporter builds its point in a package-private method (its only caller is the
   * reporter's timer); called reflectively rather than copying the field names here.
   */
  private static Point pipelinePoint(long t) throws Exception {
    Class<?> reporter = Class.forName("io.citybrain.connectors.bridge.PipelineReporter");
    Method point =
        reporter.getDeclaredMethod(
            "point",
            String.class,
            BridgeMetrics.Snapshot.class,
            BridgeMetrics.Snapshot.class,
            Instant.class);
    point.setAccessible(true);
    BridgeMetrics.Snapshot before = new BridgeMetrics.Snapshot(0, 0, Map.of(), 0, 1, 0, 0, 0);
    BridgeMetrics.Snapshot now =
        new BridgeMetrics.Snapshot(10, 9, Map.of("not_json", 1L), 0, 1, 0, 0, 12);
    Point p = (Point) point.invoke(null, "bridge", before, now, Instant.ofEpochMilli(t));
    assertThat(p.getPrecision()).isEqualTo(WritePrecision.MS);
    return p;
  }

  @Test
  void everyRecordedLineHasTheShapeOfAPointTheJobsWrite() throws Exception {
    Set<Shape> written = writtenShapes();
    Map<String, Integer> perMeasurement = new HashMap<>();
    String[] lines = GrafanaQueriesITCase.fixture().split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Shape shape = shapeOf(line);
      assertThat(written)
          .as(
              "line %d of %s: %s%n is not shaped like any point the jobs write",
              i + 1, GrafanaQueriesITCase.FIXTURE, line)
          .contains(shape);
      perMeasurement.merge(shape.measurement(), 1, Integer::sum);
    }
    Set<String> measurements = new HashSet<>();
    written.forEach(s -> measurements.add(s.measurement()));
    assertThat(perMeasurement.keySet())
        .as("measurements covered by the fixture")
        .containsAll(measurements);
  }
}
