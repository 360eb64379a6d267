package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.citybrain.contract.Alert;
import io.citybrain.geo.Areas;
import io.citybrain.geo.Building;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.Metric;
import io.citybrain.geo.RoadSegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.linearref.LengthIndexedLine;
import picocli.CommandLine;

/**
 * Bring your own city, end to end: the real West Oakland extract (Debian's python-osmnx-doc,
 * OpenStreetMap data, ODbL) imported with {@code city import} as a user types it, the local city
 * started on the package, and readings on its real streets and in its real buildings answered in
 * its own terms — segment ids of its OSM ways, its district, its buildings, and no fire station
 * (the extract has none), said so.
 */
class OwnCityITCase {

  static final Path OAKLAND =
      Path.of("/usr/share/doc/python-osmnx-doc/examples/tests/input_data/West-Oakland.osm.bz2");

  @TempDir static Path dir;

  private static Path packageDir;
  private static CityPackage oakland;
  private static LocalCity city;
  private static MqttClient device;

  @BeforeAll
  static void importAndStart() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(Files.exists(OAKLAND), "python-osmnx-doc is not installed");
    }
    packageDir = dir.resolve("west-oakland");
    int exit =
        new CommandLine(new CityCli())
            .execute(
                "city",
                "import",
                "--osm",
                OAKLAND.toString(),
                "--out",
                packageDir.toString(),
                "--name",
                "West Oakland",
                "--time-zone",
                "America/Los_Angeles");
    assertThat(exit).isZero();
    oakland = CityPackage.read(packageDir);
    city =
        LocalCity.start(
            LocalCity.Options.ephemeral(dir.resolve("data"))
                .withCity(packageDir)
                .withConsolePort(0),
            step -> {});
    device = new MqttClient(city.mqttUrl(), "oakland-it-device", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    device.connect(o);
  }

  @AfterAll
  static void stop() throws Exception {
    if (device != null) {
      device.disconnect();
      device.close();
    }
    if (city != null) {
      city.close();
    }
  }

  private static void publish(String topic, String payload) throws Exception {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    device.publish(topic, m);
  }

  private static String probe(Instant ts, Coordinate c, double speed, double heading) {
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.7f,\"lon\":%.7f,\"speedKmh\":%.1f,\"headingDeg\":%.1f}",
        ts.toEpochMilli(),
        c.y,
        c.x,
        speed,
        heading);
  }

  /** The point halfway along a segment and the bearing of its geometry there. */
  private static Coordinate middle(RoadSegment r) {
    LengthIndexedLine line = new LengthIndexedLine(r.geometry());
    return line.extractPoint(line.getEndIndex() / 2);
  }

  private static double heading(RoadSegment r) {
    LengthIndexedLine line = new LengthIndexedLine(r.geometry());
    Coordinate p = line.extractPoint(line.getEndIndex() * 0.49);
    Coordinate q = line.extractPoint(line.getEndIndex() * 0.51);
    return Metric.bearingDeg(p.x, p.y, q.x, q.y);
  }

  @Test
  void probesOnItsRealStreetsGiveRowsKeyedByTheImportedSegments() throws Exception {
    // The two longest two-way streets whose middles match themselves (crossings excluded).
    List<RoadSegment> streets =
        oakland.city().roads().stream()
            .filter(r -> !r.oneway() && r.lengthM() > 80)
            .filter(
                r ->
                    oakland
                        .city()
                        .index()
                        .matchRoad(middle(r).x, middle(r).y, heading(r))
                        .map(m -> m.segment().id())
                        .filter(r.id()::equals)
                        .isPresent())
            .sorted(Comparator.comparingDouble(RoadSegment::lengthM).reversed())
            .limit(2)
            .toList();
    assertThat(streets).hasSize(2);
    RoadSegment a = streets.get(0);
    RoadSegment b = streets.get(1);
    // Event time a few minutes back: readings are in the past, as a device's would be.
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
    publish("city/traffic/probe/oak-probe-a", probe(t0.plusSeconds(10), middle(a), 20, heading(a)));
    publish("city/traffic/probe/oak-probe-b", probe(t0.plusSeconds(20), middle(b), 30, heading(b)));
    // Moves event time past the window (and its out-of-orderness) on every partition that matters.
    publish(
        "city/traffic/probe/oak-probe-a", probe(t0.plusSeconds(180), middle(a), 25, heading(a)));
    publish(
        "city/traffic/probe/oak-probe-b", probe(t0.plusSeconds(180), middle(b), 25, heading(b)));

    String end = "'" + t0.plusSeconds(60) + "'";
    String segmentSql =
        "SELECT segment, district, road_class, speed_kmh, samples FROM traffic_segment WHERE timestamp = "
            + end
            + " ORDER BY segment";
    String districtSql = "SELECT district, samples FROM traffic_district WHERE timestamp = " + end;
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                city.store().query(segmentSql).size() == 2
                    && city.store().query(districtSql).size() == 1);

    List<Map<String, Object>> rows = city.store().query(segmentSql);
    assertThat(rows).extracting(r -> r.get("segment")).containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(rows)
        .extracting(r -> (String) r.get("segment"))
        .allMatch(id -> id.matches("w\\d+-\\d+"));
    Map<String, Object> rowA =
        rows.stream().filter(r -> r.get("segment").equals(a.id())).findFirst().orElseThrow();
    assertThat(((Number) rowA.get("speed_kmh")).doubleValue()).isCloseTo(20.0, within(1e-9));
    assertThat(rowA.get("district")).isEqualTo("d1");
    assertThat(city.store().query(districtSql).get(0))
        .containsEntry("district", "d1")
        .containsEntry("samples", 2);
  }

  @Test
  void aSmokePairInARealBuildingIsAFireAndTheMissingFireStationIsSaid() throws Exception {
    Building building =
        oakland.city().buildings().stream()
            .sorted(Comparator.comparing(Building::id))
            .findFirst()
            .orElseThrow();
    Point inside = building.footprint().getInteriorPoint();
    Areas areas = oakland.city().index().locate(inside.getX(), inside.getY());
    try (AlertListener officer =
        new AlertListener(city.mqttUrl(), "oak-officer", "city/alerts/district/d1")) {
      long first = System.currentTimeMillis();
      String at =
          String.format(Locale.ROOT, "\"lat\":%.7f,\"lon\":%.7f", inside.getY(), inside.getX());
      // No buildingId: the job finds the building from the package's footprints.
      publish(
          "city/emergency/smoke/oak-smoke-1", "{\"ts\":" + first + "," + at + ",\"alarm\":true}");
      publish(
          "city/emergency/smoke/oak-smoke-2",
          "{\"ts\":" + (first + 1000) + "," + at + ",\"alarm\":true}");
      Alert fire = officer.next("fire");
      assertThat(fire.alertId()).isEqualTo("fire-" + first + "-" + building.id());
      assertThat(fire.district()).isEqualTo("d1");
      assertThat(fire.community()).isEqualTo(areas.communityId());
      assertThat(fire.message()).contains("no fire station in the city's data");
    }
  }

  @Test
  void theConsoleServesTheCitysOwnMapAndName() throws Exception {
    String base = city.consoleUrl().orElseThrow().resolve("/").toString().replaceAll("/$", "");
    assertThat(get(base + "/api/city/city.json"))
        .contains("\"en\" : \"West Oakland\"")
        .contains("America/Los_Angeles");
    assertThat(get(base + "/api/city/roads.geojson"))
        .contains("\"id\":\"" + oakland.city().roads().get(0).id() + "\"");
  }

  /** A console file, gunzipped when the console sent it compressed. */
  private static String get(String url) throws Exception {
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    byte[] body = response.body();
    if (response.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
      body =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  @Test
  void anSosIsRoutedToItsCommunityAndDistrict() throws Exception {
    var community = oakland.city().communities().get(oakland.city().communities().size() - 1);
    Point p = community.boundary().getInteriorPoint();
    try (AlertListener manager =
        new AlertListener(
            city.mqttUrl(), "oak-manager", "city/alerts/community/" + community.id())) {
      long pressed = System.currentTimeMillis();
      publish(
          "city/emergency/sos/oak-sos-1",
          String.format(
              Locale.ROOT,
              "{\"ts\":%d,\"lat\":%.7f,\"lon\":%.7f,\"pressed\":true}",
              pressed,
              p.getY(),
              p.getX()));
      Alert sos = manager.nextState("sos-" + pressed + "-oak-sos-1", "raised");
      assertThat(sos.district()).isEqualTo("d1");
      assertThat(sos.community()).isEqualTo(community.id());
    }
  }
}
