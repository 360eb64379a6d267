package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Topics;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Community;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.geo.RoadSegment;
import io.citybrain.testkit.KafkaRecords;
import io.citybrain.testkit.MosquittoClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * The walking skeleton end to end, on the real parts: a Paho client publishes to the embedded
 * broker; the bridge, Kafka, the Flink jobs on the MiniCluster, the store and alert dispatch do the
 * rest; the test reads the results where a user would find them.
 */
class LocalCityITCase {

  /** Event times are fixed instants, not the wall clock, so the window rows are exact. */
  // The bridge refuses readings older than bridge.max-reading-age (2 h) against its clock: the
  // named instant is half an hour before the test starts, on a minute boundary (windows are
  // minutes).
  private static final Instant T0 =
      Instant.now()
          .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
          .minus(Duration.ofMinutes(30));

  private static final DistrictIndex DISTRICTS = DistrictIndex.hangzhou();

  /** The city the local city runs on (seed 42 in the test options). */
  private static final CityModel CITY = CityModel.generate(42);

  @TempDir static Path dataDir;

  private static LocalCity city;
  private static MqttClient device;

  @BeforeAll
  static void startCity() throws Exception {
    city = LocalCity.start(LocalCity.Options.ephemeral(dataDir), step -> {});
    device = new MqttClient(city.mqttUrl(), "it-device", new MemoryPersistence());
    device.connect(options());
  }

  @AfterAll
  static void stopCity() throws Exception {
    if (device != null) {
      device.disconnect();
      device.close();
    }
    if (city != null) {
      city.close();
    }
  }

  private static MqttConnectOptions options() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    return o;
  }

  private static void publish(String topic, String payload) throws Exception {
    publish(topic, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static void publish(String topic, byte[] payload) throws Exception {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    device.publish(topic, m);
  }

  private static double[] pointIn(String districtCode, long seed) {
    District d =
        DISTRICTS.districts().stream()
            .filter(x -> x.code().equals(districtCode))
            .findFirst()
            .orElseThrow();
    return DistrictIndex.randomPointIn(d, new Random(seed));
  }

  /** Long segments of a district, by id: the test's roads. */
  private static List<RoadSegment> roadsOf(String district) {
    return CITY.roads().stream()
        .filter(r -> r.districtCode().equals(district) && r.lengthM() > 300)
        .sorted(java.util.Comparator.comparing(RoadSegment::id))
        .toList();
  }

  private static Coordinate midpoint(RoadSegment r) {
    LengthIndexedLine line = new LengthIndexedLine(r.geometry());
    return line.extractPoint(line.getEndIndex() / 2);
  }

  private static String loopAt(
      Instant ts, RoadSegment r, int count, double speed, double occupancy) {
    Coordinate c = midpoint(r);
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.7f,\"lon\":%.7f,\"count\":%d,\"intervalS\":60,\"speedKmh\":%.1f,\"occupancy\":%.2f}",
        ts.toEpochMilli(),
        c.y,
        c.x,
        count,
        speed,
        occupancy);
  }

  @Test
  void readingsOnRoadsBecomeExactSegmentAndDistrictRowsInTheStore() throws Exception {
    RoadSegment a = roadsOf("330106").get(0);
    RoadSegment b = roadsOf("330106").get(1);
    RoadSegment c = roadsOf("330102").get(0);
    for (RoadSegment r : List.of(a, b, c)) {
      Coordinate m = midpoint(r);
      assertThat(CITY.index().matchRoad(m.x, m.y, Double.NaN))
          .as("precondition: the midpoint matches its own segment")
          .map(x -> x.segment().id())
          .contains(r.id());
    }
    publish("city/traffic/loop/it-loop-a", loopAt(T0.plusSeconds(10), a, 10, 30, 0.2));
    publish("city/traffic/loop/it-loop-a", loopAt(T0.plusSeconds(40), a, 20, 60, 0.1));
    Coordinate mb = midpoint(b);
    double heading = bearing(b);
    // A probe driving along b, its time as ISO-8601 with the +08:00 offset (T0 + 30 s).
    publish(
        "city/traffic/probe/it-probe-b",
        String.format(
            Locale.ROOT,
            "{\"ts\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"speedKmh\":20,\"headingDeg\":%.1f}",
            T0.plusSeconds(30).atOffset(java.time.ZoneOffset.ofHours(8)),
            mb.y,
            mb.x,
            heading));
    publish("city/traffic/loop/it-loop-c", loopAt(T0.plusSeconds(15), c, 12, 24, 0.3));
    // Moves event time on by three minutes; the partition it does not land on goes idle.
    publish("city/traffic/loop/it-loop-a", loopAt(T0.plusSeconds(180), a, 10, 50, 0.1));

    String end =
        "'"
            + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC)
                .format(T0.plusSeconds(60))
            + "'";
    String districtSql =
        "SELECT district, tti, level, mean_speed_kmh, congested_km, samples FROM traffic_district WHERE timestamp = "
            + end
            + " ORDER BY district";
    String segmentSql =
        "SELECT segment, speed_kmh, flow_vph, occupancy, tti, samples FROM traffic_segment WHERE timestamp = "
            + end;
    // Segment and district rows come from two sinks that flush on their own: wait for both.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                city.store().query(districtSql).size() == 2
                    && city.store().query(segmentSql).size() == 3);

    // Segment a: 30 vehicles, space-mean speed 30 / (10/30 + 20/60) = 45 km/h, flow 30 per 120 s =
    // 900/h, occupancy (0.2 × 60 + 0.1 × 60) / 120 = 0.15. Segment b: one probe at 20 km/h, no
    // flow.
    Map<String, Map<String, Object>> segments = new java.util.HashMap<>();
    for (Map<String, Object> row : city.store().query(segmentSql)) {
      segments.put((String) row.get("segment"), row);
    }
    assertThat(segments.keySet()).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
    assertRow(segments.get(a.id()), 45.0, 900.0, 0.15, Math.max(1, a.freeFlowKmh() / 45), 2);
    assertRow(
        segments.get(b.id()), 20.0, null, null, Math.min(10, Math.max(1, b.freeFlowKmh() / 20)), 1);
    assertRow(
        segments.get(c.id()), 24.0, 720.0, 0.3, Math.min(10, Math.max(1, c.freeFlowKmh() / 24)), 1);

    // District 330106, weighted by vehicle-km: a carries 30 × length, b 1 × length.
    double ttiA = Math.max(1, a.freeFlowKmh() / 45);
    double ttiB = Math.min(10, Math.max(1, b.freeFlowKmh() / 20));
    double wa = 30 * a.lengthM() / 1000;
    double wb = 1 * b.lengthM() / 1000;
    double tti = (wa * ttiA + wb * ttiB) / (wa + wb);
    double speed = (wa + wb) / (wa / 45 + wb / 20);
    double congestedKm =
        (ttiA >= 1.8 ? a.lengthM() / 1000 : 0) + (ttiB >= 1.8 ? b.lengthM() / 1000 : 0);
    List<Map<String, Object>> districts = city.store().query(districtSql);
    assertThat(districts).extracting(r -> r.get("district")).containsExactly("330102", "330106");
    Map<String, Object> xihu = districts.get(1);
    assertThat(((Number) xihu.get("tti")).doubleValue()).isCloseTo(tti, within(1e-9));
    assertThat(((Number) xihu.get("mean_speed_kmh")).doubleValue()).isCloseTo(speed, within(1e-9));
    assertThat(((Number) xihu.get("congested_km")).doubleValue())
        .isCloseTo(congestedKm, within(1e-9));
    assertThat(xihu.get("level")).isEqualTo(tti < 1.5 ? 0 : tti < 1.8 ? 1 : tti < 2.0 ? 2 : 3);
    assertThat(xihu.get("samples")).isEqualTo(3);
    assertThat(((Number) districts.get(0).get("mean_speed_kmh")).doubleValue())
        .isCloseTo(24.0, within(1e-9));
  }

  private static void assertRow(
      Map<String, Object> row,
      double speed,
      Double flow,
      Double occupancy,
      double tti,
      int samples) {
    assertThat(((Number) row.get("speed_kmh")).doubleValue()).isCloseTo(speed, within(1e-9));
    if (flow == null) {
      assertThat(row.get("flow_vph")).isNull();
    } else {
      assertThat(((Number) row.get("flow_vph")).doubleValue()).isCloseTo(flow, within(1e-9));
      assertThat(((Number) row.get("occupancy")).doubleValue()).isCloseTo(occupancy, within(1e-9));
    }
    assertThat(((Number) row.get("tti")).doubleValue()).isCloseTo(tti, within(1e-9));
    assertThat(row.get("samples")).isEqualTo(samples);
  }

  /** The compass bearing of a segment's middle, in the direction of its geometry. */
  private static double bearing(RoadSegment r) {
    LengthIndexedLine line = new LengthIndexedLine(r.geometry());
    Coordinate p = line.extractPoint(line.getEndIndex() * 0.49);
    Coordinate q = line.extractPoint(line.getEndIndex() * 0.51);
    double dx = (q.x - p.x) * Math.cos(Math.toRadians(p.y));
    return (Math.toDegrees(Math.atan2(dx, q.y - p.y)) + 360) % 360;
  }

  @Test
  void unusableMessagesLandInTheDeadLetterTopicWithTheirReason() throws Exception {
    byte[] notJson = "speed=30;".getBytes(StandardCharsets.UTF_8);
    publish("city/traffic/loop/it-bad-1", notJson);
    double[] p = pointIn("330106", 3);
    publish(
        "city/traffic/loop/it-bad-2",
        String.format(
            Locale.ROOT,
            "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"intervalS\":60,\"speedKmh\":30,\"occupancy\":0.2}",
            T0.toEpochMilli(),
            p[1],
            p[0]));

    DeadLetter notJsonLetter = awaitDeadLetter("it-bad-1");
    assertThat(notJsonLetter.reason()).isEqualTo("not-json");
    assertThat(notJsonLetter.topic()).isEqualTo("city/traffic/loop/it-bad-1");
    assertThat(notJsonLetter.stage()).isEqualTo("bridge");
    assertThat(notJsonLetter.rawPayload()).isEqualTo(notJson);

    DeadLetter missing = awaitDeadLetter("it-bad-2");
    assertThat(missing.reason()).isEqualTo("missing-field");
    assertThat(missing.detail()).isEqualTo("missing field 'count'");

    // Another producer than the bridge puts a 900 KB record on a raw topic. Carried whole in
    // base64 its dead letter would outgrow what Kafka takes (1 MB), and the job would fail on it
    // after every restart; it is refused as too large and named by its place instead.
    byte[] big = new byte[900 * 1024];
    java.util.Arrays.fill(big, (byte) '#');
    Properties pp = new Properties();
    pp.put("bootstrap.servers", city.kafkaBootstrap());
    pp.put(
        "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    pp.put(
        "value.serializer",
        org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    org.apache.kafka.clients.producer.RecordMetadata at;
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(pp)) {
      at =
          producer
              .send(
                  new org.apache.kafka.clients.producer.ProducerRecord<>(
                      Topics.RAW_TRAFFIC, "it-big-1", big))
              .get();
    }
    DeadLetter bigLetter = awaitDeadLetter("it-big-1");
    assertThat(bigLetter.reason()).isEqualTo("too-large");
    assertThat(bigLetter.stage()).isEqualTo("traffic");
    assertThat(bigLetter.payload()).isEmpty();
    assertThat(bigLetter.partition()).isEqualTo(at.partition());
    assertThat(bigLetter.offset()).isEqualTo(at.offset());
    assertThat(bigLetter.toJson().length).isLessThan(4 * 1024);

    // A topic the embedded broker refuses (U+FFFD, what malformed UTF-8 decodes to), sent as a
    // stranger would, with Debian's mosquitto_pub (Paho refuses to encode it): counted in the
    // broker's metric below.
    MosquittoClients.pubRawTopic(
        java.net.URI.create(city.mqttUrl()).getPort(),
        "city/emergency/sos/it-\uFFFD".getBytes(StandardCharsets.UTF_8),
        "{}");

    // The local city's metrics line: the same dead letters, counted by domain, outcome and reason.
    String line =
        city.endpoints().stream()
            .filter(l -> l.startsWith("metrics, health"))
            .findFirst()
            .orElseThrow();
    String metricsUrl = line.split("\\s+")[2];
    var http = java.net.http.HttpClient.newHttpClient();
    java.util.concurrent.Callable<String> scrape =
        () ->
            http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                java.util.regex.Pattern.compile("citybrain_broker_publications_refused_total [1-9]")
                    .matcher(scrape.call())
                    .find());
    String metrics = scrape.call();
    assertThat(metrics)
        .containsPattern(
            "citybrain_bridge_messages_total\\{domain=\"traffic\",outcome=\"dead_letter\",reason=\"not-json\"} [1-9]")
        .containsPattern(
            "citybrain_bridge_messages_total\\{domain=\"traffic\",outcome=\"dead_letter\",reason=\"missing-field\"} [1-9]")
        .contains("citybrain_dispatch_mqtt_connected 1.0");
    var ready =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(metricsUrl.replace("/metrics", "/health/ready")))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
  }

  /** A community of Xihu and a point inside it: SOS and smoke readings are placed there. */
  private static final Community COMMUNITY =
      CITY.communities().stream()
          .filter(c -> c.districtCode().equals("330106"))
          .sorted(java.util.Comparator.comparing(Community::id))
          .findFirst()
          .orElseThrow();

  private static double[] inCommunity() {
    Coordinate c = COMMUNITY.boundary().getInteriorPoint().getCoordinate();
    return new double[] {c.x, c.y};
  }

  @Test
  void anSosPressReachesItsCommunityOverMqtt() throws Exception {
    try (AlertListener manager =
        new AlertListener(
            city.mqttUrl(), "it-community-manager", "city/alerts/community/" + COMMUNITY.id())) {
      double[] p = inCommunity();
      long pressed = System.currentTimeMillis();
      long t = System.nanoTime();
      publish(
          "city/emergency/sos/it-sos-1",
          String.format(
              Locale.ROOT,
              "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"pressed\":true}",
              pressed,
              p[1],
              p[0]));
      // Other tests' alerts share the community's topic: wait for this press's own.
      Alert alert = manager.nextState("sos-" + pressed + "-it-sos-1", "raised");
      System.out.println(
          "SOS publish to alert delivery: " + (System.nanoTime() - t) / 1_000_000 + " ms");
      assertThat(alert.kind()).isEqualTo("sos");
      assertThat(alert.severity()).isEqualTo("critical");
      assertThat(alert.district()).isEqualTo("330106");
      assertThat(alert.community()).isEqualTo(COMMUNITY.id());
      assertThat(alert.scope()).isEqualTo("community");
      assertThat(alert.ts()).isEqualTo(pressed);
      assertThat(alert.message()).contains("SOS").contains("紧急求助");
      assertThat(alert.evidence()).extracting(e -> e.deviceId()).containsExactly("it-sos-1");
    }
  }

  @Test
  void twoSmokeAlarmsInOneBuildingAreOneFireAlert() throws Exception {
    try (AlertListener manager =
            new AlertListener(
                city.mqttUrl(), "it-fire-manager", "city/alerts/community/" + COMMUNITY.id());
        AlertListener officer =
            new AlertListener(city.mqttUrl(), "it-fire-officer", "city/alerts/district/330106")) {
      double[] p = inCommunity();
      long first = System.currentTimeMillis();
      publish("city/emergency/smoke/it-smoke-1", smoke(first, p, "it-building-1"));
      Alert unconfirmed = manager.next("fire_unconfirmed");
      assertThat(unconfirmed.severity()).isEqualTo("warning");
      String alertId = "fire-" + first + "-it-building-1";
      assertThat(unconfirmed.alertId()).isEqualTo(alertId);

      publish("city/emergency/smoke/it-smoke-1", smoke(first + 1000, p, "it-building-1"));
      long t = System.nanoTime();
      publish("city/emergency/smoke/it-smoke-2", smoke(first + 2000, p, "it-building-1"));
      Alert fire = officer.next("fire");
      System.out.println(
          "second smoke alarm publish to fire alert delivery: "
              + (System.nanoTime() - t) / 1_000_000
              + " ms");
      assertThat(fire.alertId()).as("the fire replaces the unconfirmed alert").isEqualTo(alertId);
      assertThat(fire.severity()).isEqualTo("critical");
      assertThat(fire.community()).isEqualTo(COMMUNITY.id());
      assertThat(fire.evidence())
          .extracting(e -> e.deviceId())
          .startsWith("it-smoke-1", "it-smoke-2");
      assertThat(fire.evidence()[2].reading())
          .as("the nearest fire station")
          .isEqualTo("fireStationDistanceM");
      assertThat(fire.message()).contains("nearest fire station");

      publish("city/emergency/smoke/it-smoke-3", smoke(first + 3000, p, "it-building-1"));
      // Long enough for a wrongly raised alert to arrive: the path takes ~200 ms.
      Thread.sleep(2000);
      // One incident, one alert id: unconfirmed, then fire; afterwards only the same fire
      // escalating (3 s in the test city) — never a second raise.
      List<Alert> seenByManager =
          manager.all().stream().filter(a -> a.alertId().equals(alertId)).toList();
      assertThat(seenByManager.subList(0, 2))
          .extracting(Alert::kind, Alert::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("fire_unconfirmed", "raised"),
              org.assertj.core.groups.Tuple.tuple("fire", "raised"));
      assertThat(seenByManager.subList(2, seenByManager.size()))
          .allMatch(a -> a.kind().equals("fire") && a.state().equals("escalated"));
      List<Alert> seenByOfficer =
          officer.all().stream().filter(a -> a.alertId().equals(alertId)).toList();
      assertThat(seenByOfficer)
          .as("the district officer is told of the fire, not of the unconfirmed alarm")
          .isNotEmpty()
          .allMatch(a -> a.kind().equals("fire"));
      assertThat(seenByOfficer)
          .extracting(Alert::state)
          .filteredOn(st -> st.equals("raised"))
          .hasSize(1);
    }
  }

  @Test
  void anUnansweredSosIsEscalatedAndThenAcknowledgedOverMqtt() throws Exception {
    try (AlertListener manager =
            new AlertListener(
                city.mqttUrl(), "it-sos-manager", "city/alerts/community/" + COMMUNITY.id());
        AlertListener officer =
            new AlertListener(city.mqttUrl(), "it-sos-officer", "city/alerts/district/330106")) {
      double[] p = inCommunity();
      long pressed = System.currentTimeMillis();
      publish(
          "city/emergency/sos/it-sos-2",
          String.format(
              Locale.ROOT,
              "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"pressed\":true}",
              pressed,
              p[1],
              p[0]));
      String alertId = "sos-" + pressed + "-it-sos-2";
      assertThat(manager.nextState(alertId, "raised").severity()).isEqualTo("critical");
      // Escalation is 3 s in the test city (5 minutes by default); until then the district hears
      // nothing.
      assertThat(officer.nextState(alertId, "escalated").scope()).isEqualTo("district");
      assertThat(officer.all().stream().filter(a -> a.alertId().equals(alertId)))
          .extracting(Alert::state)
          .doesNotContain("raised");

      publish("city/ack/" + alertId, "{\"by\":\"officer-li\"}");
      Alert acked = officer.nextState(alertId, "acknowledged");
      assertThat(acked.acknowledgedBy()).isEqualTo("officer-li");

      // Only this test acknowledges, so the district's mean time to acknowledge is this one's.
      String sql =
          "SELECT mean_ack_s FROM emergency_area WHERE district = '330106' AND mean_ack_s IS NOT NULL";
      await().atMost(Duration.ofSeconds(30)).until(() -> !city.store().query(sql).isEmpty());
      double meanAck = ((Number) city.store().query(sql).get(0).get("mean_ack_s")).doubleValue();
      assertThat(meanAck).isEqualTo((acked.ts() - pressed) / 1000.0);

      // Resolved a quiet time (10 s in the test city) after the acknowledgement.
      assertThat(officer.nextState(alertId, "resolved").acknowledgedBy()).isEqualTo("officer-li");
      manager.nextState(alertId, "resolved");

      // The alert measurement holds every transition the manager was sent (duplicates of an
      // at-least-once delivery aside), each at its own time.
      List<String> sent =
          manager.all().stream()
              .filter(a -> a.alertId().equals(alertId))
              .sorted(java.util.Comparator.comparingLong(Alert::ts))
              .map(a -> a.state() + "@" + a.ts())
              .distinct()
              .toList();
      String rowsSql =
          "SELECT state, timestamp FROM alert WHERE alert_id = '"
              + alertId
              + "' ORDER BY timestamp";
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> city.store().query(rowsSql).size() >= sent.size());
      List<Map<String, Object>> rows = city.store().query(rowsSql);
      assertThat(rows)
          .extracting(
              r -> r.get("state") + "@" + Instant.parse((String) r.get("timestamp")).toEpochMilli())
          .containsExactlyElementsOf(sent);
      assertThat(sent.get(0)).isEqualTo("raised@" + pressed);
      // A re-notification already on its way may be stamped after the acknowledgement's arrival at
      // the bridge, so the order is that of each state's first row.
      List<String> states = rows.stream().map(r -> (String) r.get("state")).toList();
      System.out.println("alert rows of " + alertId + ": " + states);
      assertThat(states)
          .as(
              "raised once, escalated (re-notified every 2 s), acknowledged once, resolved once and last")
          .containsOnlyOnce("raised", "acknowledged", "resolved")
          .startsWith("raised", "escalated")
          .endsWith("resolved");
      assertThat(states.indexOf("escalated")).isLessThan(states.indexOf("acknowledged"));
    }
  }

  @Test
  void aTicketOpenedAndResolvedGivesItsCommunityTheHandlingTime() throws Exception {
    double[] p = inCommunity();
    long opened = System.currentTimeMillis() - 120_000;
    // The hotline's own stamps: opened two minutes ago, resolved 90 s later.
    publish("city/community/ticket/it-hotline", ticket(opened, p, "IT-T-1", "opened"));
    publish("city/community/ticket/it-hotline", ticket(opened + 30_000, p, "IT-T-1", "assigned"));
    publish("city/community/ticket/it-hotline", ticket(opened + 90_000, p, "IT-T-1", "resolved"));

    String sql =
        "SELECT tickets_opened, tickets_resolved, open_tickets, mean_handling_s, yellow_cards, red_cards "
            + "FROM community_tickets WHERE community = '"
            + COMMUNITY.id()
            + "' AND district = '330106' ORDER BY timestamp";
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                city.store().query(sql).stream()
                    .anyMatch(r -> ((Number) r.get("tickets_resolved")).longValue() > 0));
    List<Map<String, Object>> rows = city.store().query(sql);
    // Opening and resolution may fall in one interval or two; only this test sends tickets.
    assertThat(rows.stream().mapToLong(r -> ((Number) r.get("tickets_opened")).longValue()).sum())
        .isEqualTo(1);
    Map<String, Object> resolvedRow =
        rows.stream()
            .filter(r -> ((Number) r.get("tickets_resolved")).longValue() > 0)
            .findFirst()
            .orElseThrow();
    assertThat(resolvedRow.get("tickets_resolved")).isEqualTo(1);
    assertThat(resolvedRow.get("open_tickets")).isEqualTo(0);
    assertThat(((Number) resolvedRow.get("mean_handling_s")).doubleValue()).isEqualTo(90.0);
    assertThat(rows)
        .allMatch(
            r ->
                ((Number) r.get("yellow_cards")).longValue() == 0
                    && ((Number) r.get("red_cards")).longValue() == 0);
  }

  private static String ticket(long ts, double[] p, String ticketId, String status) {
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"ticketId\":\"%s\",\"category\":\"water\",\"status\":\"%s\"}",
        ts,
        p[1],
        p[0],
        ticketId,
        status);
  }

  private static String smoke(long ts, double[] p, String building) {
    return String.format(
        Locale.ROOT,
        "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"alarm\":true,\"buildingId\":\"%s\"}",
        ts,
        p[1],
        p[0],
        building);
  }

  private static DeadLetter awaitDeadLetter(String key) {
    return DeadLetter.fromJson(
        KafkaRecords.first(
                city.kafkaBootstrap(),
                Topics.DEADLETTER,
                r -> key.equals(r.key()),
                Duration.ofSeconds(30))
            .value());
  }

  /**
   * Issue 23: any web page can reach the local REST port from an operator's browser, so it must not
   * take a jar, and its answers must not be readable by other origins.
   */
  @Test
  void flinkRestPortTakesNoJarAndAllowsNoForeignOrigin() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String boundary = "citybrain-it";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"x.jar\"\r\n"
            + "Content-Type: application/x-java-archive\r\n\r\nPK\r\n--"
            + boundary
            + "--\r\n";
    java.net.http.HttpResponse<String> upload =
        http.send(
            java.net.http.HttpRequest.newBuilder(city.flinkUi().resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Origin", "http://evil.example")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    // With submission on, this upload is stored (200); without its handler Flink refuses any
    // upload.
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(400);
    assertThat(upload.body()).contains("POST request not allowed");
    java.net.http.HttpResponse<String> jars =
        http.send(
            java.net.http.HttpRequest.newBuilder(city.flinkUi().resolve("/jars")).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(jars.statusCode()).as(jars.body()).isEqualTo(404);
    java.net.http.HttpResponse<String> config =
        http.send(
            java.net.http.HttpRequest.newBuilder(city.flinkUi().resolve("/config"))
                .header("Origin", "http://evil.example")
                .GET()
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(config.headers().allValues("Access-Control-Allow-Origin"))
        .doesNotContain("*", "http://evil.example");
  }
}
