package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Topics;
import io.citybrain.geo.Areas;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.geo.Utility;
import io.citybrain.geo.UtilityZone;
import io.citybrain.jobs.utility.ZonePlace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The utility job's scenarios through the whole local chain: readings published with Paho, the
 * bridge, Kafka, the utility job, the store and alert dispatch; alerts read over MQTT, rows from
 * the store. Each scenario has its own district and its own time range, in increasing order (the
 * job's watermark only moves forward), so the tests run in a fixed order. A "clock" water meter in
 * another district moves event time on at the end of a scenario, so its last windows close.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UtilityScenariosITCase {

  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final Instant BURST_DAY = Instant.parse("2026-01-05T08:00:00Z");
  private static final Instant OUTAGE_DAY = Instant.parse("2026-01-06T08:00:00Z");
  private static final Instant LEAK_DAY = Instant.parse("2026-01-07T08:00:00Z");

  /** Midnight in Hangzhou on 2026-01-08. */
  private static final Instant ORDINARY_DAY = Instant.parse("2026-01-07T16:00:00Z");

  @TempDir static Path dataDir;

  private static LocalCity city;
  private static MqttClient device;

  @BeforeAll
  static void startCity() throws Exception {
    // The scenarios happen on fixed days of January 2026: recorded history to the bridge, so its
    // bridge.max-reading-age is off (0); the other timestamp rules stay on.
    // With Flink's reporter, as ./citybrain local --flink-metrics: the jobs' metrics on a laptop
    // (issue 21).
    city =
        LocalCity.start(
            LocalCity.Options.ephemeral(dataDir)
                .withMaxReadingAge(IngestValidator.NO_AGE_LIMIT)
                .withFlinkMetrics(true),
            step -> {});
    device = new MqttClient(city.mqttUrl(), "it-utility-devices", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setMaxInflight(1000);
    device.connect(o);
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

  /**
   * A point of the district, taken from the city model the job runs on, whose neighbourhood
   * (±0.002°, about 200 m, wider than where {@link #near} puts meters) lies in one zone of each
   * utility, all zones of that district: the meters of a scenario then share their zones.
   */
  private static double[] zoneCentre(String districtCode) {
    CityModel model = city.jobSettings().city().city();
    District d =
        model.districts().stream()
            .filter(x -> x.code().equals(districtCode))
            .findFirst()
            .orElseThrow();
    for (long seed = 1; seed < 500; seed++) {
      double[] c = DistrictIndex.randomPointIn(d, new Random(seed));
      Areas at = model.index().locate(c[0], c[1]);
      boolean inside = !at.isOutside() && districtCode.equals(at.districtCode());
      for (double[] off :
          new double[][] {{0.002, 0.002}, {-0.002, -0.002}, {0.002, -0.002}, {-0.002, 0.002}}) {
        Areas a = model.index().locate(c[0] + off[0], c[1] + off[1]);
        for (Utility u : Utility.values()) {
          inside &=
              at.zone(u).isPresent()
                  && a.zone(u).equals(at.zone(u))
                  && at.zone(u).get().districtCode().equals(districtCode);
        }
      }
      if (inside) {
        return c;
      }
    }
    throw new IllegalStateException(
        "no point well inside one zone of each utility found in " + districtCode);
  }

  /** The model's zone of the utility at the point. */
  private static ZonePlace zone(double[] p, String utility) {
    CityModel model = city.jobSettings().city().city();
    UtilityZone z =
        model
            .index()
            .locate(p[0], p[1])
            .zone(Utility.valueOf(utility.toUpperCase(Locale.ROOT)))
            .orElseThrow();
    return new ZonePlace(z.id(), z.districtCode());
  }

  /** The i-th meter's position near the centre, about 100 m apart. */
  private static double[] near(double[] c, int i) {
    return new double[] {c[0] + 0.001 * (i % 2), c[1] + 0.001 * (i / 2 % 2)};
  }

  private static void publish(
      String kind, String id, long ts, double[] p, String a, double va, String b, double vb)
      throws Exception {
    String json =
        String.format(
            Locale.ROOT,
            "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"%s\":%.3f,\"%s\":%.3f}",
            ts,
            p[1],
            p[0],
            a,
            va,
            b,
            vb);
    MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    // Paho can count a publish as in flight for a moment after its PUBACK: wait and retry
    // (bounded).
    for (int attempt = 0; ; attempt++) {
      try {
        device.publish("city/utility/" + kind + "/" + id, m);
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT || attempt >= 200) {
          throw e;
        }
        Thread.sleep(5);
      }
    }
  }

  private static void water(String id, long ts, double[] p, double flow, double kpa)
      throws Exception {
    publish("water", id, ts, p, "flowM3h", flow, "pressureKPa", kpa);
  }

  private static void power(String id, long ts, double[] p, double kw, double volts)
      throws Exception {
    publish("power", id, ts, p, "kW", kw, "voltageV", volts);
  }

  private static void gas(String id, long ts, double[] p, double kpa, double ppm) throws Exception {
    publish("gas", id, ts, p, "pressureKPa", kpa, "ppm", ppm);
  }

  /** Moves event time on to {@code ts} with a water meter of its own, far from every scenario. */
  private static void clock(String id, long ts) throws Exception {
    water(id, ts, zoneCentre("330104"), 1, 300);
  }

  private static List<Map<String, Object>> rows(String zone, long fromEnd, long toEnd) {
    return city.store()
        .query(
            "SELECT timestamp, consumption, pressure_kpa_min, meters_reporting, meters_dark FROM utility_zone "
                + "WHERE zone = '"
                + zone
                + "' AND timestamp BETWEEN '"
                + Instant.ofEpochMilli(fromEnd)
                + "' AND '"
                + Instant.ofEpochMilli(toEnd)
                + "' ORDER BY timestamp");
  }

  private static List<Map<String, Object>> awaitRows(String zone, long fromEnd, long toEnd) {
    int expected = (int) ((toEnd - fromEnd) / MINUTE) + 1;
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> rows(zone, fromEnd, toEnd).size() == expected);
    return rows(zone, fromEnd, toEnd);
  }

  private static List<Map<String, Object>> hourlyRows(String zone, long fromEnd, long toEnd) {
    return city.store()
        .query(
            "SELECT timestamp, consumption, pressure_kpa_min, meters_reporting, meters_dark "
                + "FROM utility_zone_hourly WHERE zone = '"
                + zone
                + "' AND timestamp BETWEEN '"
                + Instant.ofEpochMilli(fromEnd)
                + "' AND '"
                + Instant.ofEpochMilli(toEnd)
                + "' ORDER BY timestamp");
  }

  private static List<Map<String, Object>> awaitHourlyRows(String zone, long fromEnd, long toEnd) {
    int expected = (int) ((toEnd - fromEnd) / HOUR) + 1;
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> hourlyRows(zone, fromEnd, toEnd).size() == expected);
    return hourlyRows(zone, fromEnd, toEnd);
  }

  private static Double num(Map<String, Object> row, String col) {
    Object v = row.get(col);
    return v == null ? null : ((Number) v).doubleValue();
  }

  /**
   * Asserts one row: window end, consumption (null or ±1e-9), minimum pressure, reporting, dark.
   */
  private static void assertRow(
      Map<String, Object> row,
      long end,
      Double consumption,
      Double pressureMin,
      long reporting,
      long dark) {
    assertThat(row.get("timestamp"))
        .isEqualTo(Instant.ofEpochMilli(end).toString().replace("Z", ".000000Z"));
    if (consumption == null) {
      assertThat(row.get("consumption")).as("consumption at " + row.get("timestamp")).isNull();
    } else {
      assertThat(num(row, "consumption"))
          .as("consumption at " + row.get("timestamp"))
          .isCloseTo(consumption, within(1e-9));
    }
    assertThat(num(row, "pressure_kpa_min"))
        .as("pressure_kpa_min at " + row.get("timestamp"))
        .isEqualTo(pressureMin);
    assertThat(num(row, "meters_reporting"))
        .as("meters_reporting at " + row.get("timestamp"))
        .isEqualTo((double) reporting);
    assertThat(num(row, "meters_dark"))
        .as("meters_dark at " + row.get("timestamp"))
        .isEqualTo((double) dark);
  }

  @Test
  @Order(1)
  void aPressureFallOnTwoSensorsIsOneBurstAlertResolvedWhenPressureReturns() throws Exception {
    double[] c = zoneCentre("330106");
    String zone = zone(c, "water").zone();
    long b = BURST_DAY.toEpochMilli();
    try (Listener officer = new Listener("it-burst-officer", "city/alerts/district/330106")) {
      // 6, 12 and 18 m³/h at 400 kPa, readings at :30; at 08:10:30 two sensors fall to 310 and 300
      // kPa.
      for (int k = 0; k <= 12; k++) {
        if (k == 10) {
          // The burst rule needs the zone's history: let the quiet minutes close first, as they
          // would in real time, before the fall arrives.
          clock("it-clock-burst", b + 10 * MINUTE + 10_000);
          awaitRows(zone, b + 9 * MINUTE, b + 9 * MINUTE);
        }
        long ts = b + k * MINUTE + 30_000;
        water("it-wm-1", ts, near(c, 1), 6, k == 10 ? 310 : 400);
        water("it-wm-2", ts, near(c, 2), 12, k == 10 ? 300 : 400);
        water("it-wm-3", ts, near(c, 3), 18, 400);
      }
      clock("it-clock-burst", b + 14 * MINUTE);

      String id = "water_burst-" + (b + 10 * MINUTE + 30_000) + "-" + zone;
      Alert raised = officer.awaitState(id, "raised");
      assertThat(raised.kind()).isEqualTo("water_burst");
      assertThat(raised.severity()).isEqualTo("critical");
      assertThat(raised.ts()).isEqualTo(b + 10 * MINUTE + 30_000);
      assertThat(raised.evidence())
          .containsExactly(
              new Evidence("it-wm-1", "pressureKPa", 310, b + 10 * MINUTE + 30_000),
              new Evidence("it-wm-2", "pressureKPa", 300, b + 10 * MINUTE + 30_000));
      assertThat(raised.message())
          .isEqualTo(
              "疑似爆管：供水分区 "
                  + zone
                  + " 有 2 个压力计低于基准 400 kPa 的 80% / Suspected "
                  + "water-main burst: 2 pressure sensors in zone "
                  + zone
                  + " at least 20% below its median of 400 kPa");
      Alert resolved = officer.awaitState(id, "resolved");
      assertThat(resolved.ts()).isEqualTo(b + 11 * MINUTE + 30_000);

      List<Map<String, Object>> rows = awaitRows(zone, b + MINUTE, b + 12 * MINUTE);
      // Half a minute of 36 m³/h in the first window (0.3 m³), a whole minute (0.6 m³) after.
      assertRow(rows.get(0), b + MINUTE, 0.3, 400.0, 3, 0);
      for (int k = 2; k <= 12; k++) {
        assertRow(rows.get(k - 1), b + k * MINUTE, 0.6, k == 11 ? 300.0 : 400.0, 3, 0);
      }
      assertThat(officer.all())
          .as("one incident, two messages")
          .extracting(Alert::alertId, Alert::state)
          .containsExactly(tuple(id, "raised"), tuple(id, "resolved"));
    }
  }

  @Test
  @Order(2)
  void aThirdOfAFeederZonesMetersFallingSilentIsAnOutageRestoredWhenTheyReturn() throws Exception {
    double[] c = zoneCentre("330102");
    String zone = zone(c, "power").zone();
    long o = OUTAGE_DAY.toEpochMilli();
    try (Listener officer = new Listener("it-outage-officer", "city/alerts/district/330102")) {
      // Six meters at 1.2 kW and 221 V each minute; meters 4..6 are silent from 08:03 to 08:08.
      for (int k = 0; k <= 9; k++) {
        for (int i = 1; i <= 6; i++) {
          if (i <= 3 || k <= 2) {
            power("it-pm-" + i, o + k * MINUTE, near(c, i), 1.2, 221);
          }
        }
      }
      String id = "power_outage-" + (o + 5 * MINUTE) + "-" + zone;
      Alert raised = officer.awaitState(id, "raised");
      assertThat(raised.severity()).isEqualTo("critical");
      assertThat(raised.ts()).isEqualTo(o + 5 * MINUTE);
      assertThat(raised.evidence())
          .extracting(Evidence::deviceId)
          .containsExactly("it-pm-4", "it-pm-5", "it-pm-6");
      assertThat(raised.message())
          .isEqualTo(
              "停电：供电分区 "
                  + zone
                  + " 有 3 个电表失电 / Power outage: 3 meters without power in "
                  + "feeder zone "
                  + zone);
      // The window ending 08:07 is written once event time passed 08:08, and the window ending
      // 08:08 not yet: the meters' return is seen in the window that is written next.
      awaitRows(zone, o + 7 * MINUTE, o + 7 * MINUTE);
      for (int i = 4; i <= 6; i++) {
        power("it-pm-" + i, o + 9 * MINUTE, near(c, i), 1.2, 221);
      }
      for (int i = 1; i <= 6; i++) {
        power("it-pm-" + i, o + 10 * MINUTE, near(c, i), 1.2, 221);
      }
      clock("it-clock-outage", o + 12 * MINUTE);
      Alert resolved = officer.awaitState(id, "resolved");
      assertThat(resolved.ts()).isEqualTo(o + 8 * MINUTE);

      // 1.2 kW for a minute is 0.02 kWh; the silent meters' gap is not integrated.
      List<Map<String, Object>> rows = awaitRows(zone, o + MINUTE, o + 10 * MINUTE);
      long[] reporting = {6, 6, 6, 3, 3, 3, 3, 3, 3, 6};
      long[] dark = {0, 0, 0, 0, 3, 3, 3, 0, 0, 0};
      double[] kwh = {0.12, 0.12, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.12};
      for (int k = 1; k <= 10; k++) {
        assertRow(rows.get(k - 1), o + k * MINUTE, kwh[k - 1], null, reporting[k - 1], dark[k - 1]);
      }
      assertThat(officer.all())
          .extracting(Alert::alertId, Alert::state)
          .containsExactly(tuple(id, "raised"), tuple(id, "resolved"));
    }
  }

  /**
   * {@code ./citybrain local --flink-metrics}: the jobs' operators, by name, in the printed scrape.
   */
  @Test
  @Order(99)
  void theJobsMetricsAreScrapedFromTheMiniCluster() throws Exception {
    java.net.URI metrics = city.flinkMetrics().orElseThrow();
    assertThat(city.endpoints())
        .anyMatch(l -> l.startsWith("Flink metrics") && l.contains(metrics.toString()));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        http.send(
                                java.net.http.HttpRequest.newBuilder(metrics).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body())
                    .containsPattern(
                        "flink_taskmanager_job_task_operator_numRecordsIn\\{[^}]*operator_name=\"decode.and.place.in.zone\"")
                    .contains("flink_jobmanager_numRunningJobs"));

    // The same, relayed into the city's one scrape beside the bridge's and dispatcher's meters,
    // each family once (a second "# TYPE" of one name is a scrape Prometheus refuses).
    String ops =
        city.endpoints().stream()
            .filter(l -> l.startsWith("metrics, health"))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[2];
    assertThat(city.endpoints())
        .anyMatch(l -> l.startsWith("metrics, health") && l.contains("Flink's relayed"));
    String scrape =
        http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(ops)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(scrape)
        .containsPattern(
            "flink_taskmanager_job_task_operator_numRecordsIn\\{[^}]*operator_name=\"decode.and.place.in.zone\"")
        .contains("citybrain_bridge_messages_received_total", "citybrain_dispatch_mqtt_connected");
    List<String> families =
        scrape.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2]).toList();
    assertThat(families).doesNotHaveDuplicates();
  }

  @Test
  @Order(3)
  void methaneAboveFiveThousandPpmIsACriticalAlertAtOnce() throws Exception {
    double[] c = zoneCentre("330105");
    String zone = zone(c, "gas").zone();
    long l = LEAK_DAY.toEpochMilli();
    try (Listener officer = new Listener("it-leak-officer", "city/alerts/district/330105")) {
      for (int k = 0; k <= 3; k++) {
        gas("it-gs-1", l + k * MINUTE, near(c, 1), 2.2, 20);
        gas("it-gs-2", l + k * MINUTE, near(c, 2), 2.2, k == 3 ? 6_200 : 20);
      }
      String id = "gas_leak-" + (l + 3 * MINUTE) + "-" + zone;
      // At once: nothing later than the alarming reading has been published yet.
      Alert raised = officer.awaitState(id, "raised");
      assertThat(raised.severity()).isEqualTo("critical");
      assertThat(raised.evidence())
          .containsExactly(new Evidence("it-gs-2", "ppm", 6_200, l + 3 * MINUTE));
      assertThat(raised.message())
          .isEqualTo(
              "燃气泄漏：燃气分区 "
                  + zone
                  + " 甲烷浓度 6200 ppm / Gas leak: methane at 6200 ppm in "
                  + "gas zone "
                  + zone);

      gas("it-gs-1", l + 4 * MINUTE, near(c, 1), 2.2, 20);
      gas("it-gs-2", l + 4 * MINUTE, near(c, 2), 2.2, 3_000);
      gas("it-gs-1", l + 5 * MINUTE, near(c, 1), 2.2, 20);
      gas("it-gs-2", l + 5 * MINUTE, near(c, 2), 2.2, 100);
      clock("it-clock-leak", l + 8 * MINUTE);
      assertThat(officer.awaitState(id, "resolved").ts()).isEqualTo(l + 5 * MINUTE);

      List<Map<String, Object>> rows = awaitRows(zone, l + MINUTE, l + 6 * MINUTE);
      for (int k = 1; k <= 6; k++) {
        assertRow(rows.get(k - 1), l + k * MINUTE, null, 2.2, 2, 0);
      }
      assertThat(officer.all())
          .extracting(Alert::alertId, Alert::state)
          .containsExactly(tuple(id, "raised"), tuple(id, "resolved"));
    }
  }

  @Test
  @Order(4)
  void anOrdinaryDayOfDiurnalDemandRaisesNoAlertAtAll() throws Exception {
    double[] c = zoneCentre("330108");
    long d = ORDINARY_DAY.toEpochMilli();
    Random noise = new Random(7);
    try (Listener officer = new Listener("it-day-officer", "city/alerts/district/330108")) {
      for (int k = 0; k < 24 * 60; k++) {
        long ts = d + k * MINUTE;
        double demand = demand(k / 60.0);
        for (int i = 1; i <= 3; i++) {
          double flow = 20 * i * demand * (1 + 0.05 * noise.nextGaussian());
          // Head loss: pressure sags a little as demand rises.
          double kpa = (400 - 60 * demand) * (1 + 0.01 * noise.nextGaussian());
          water("it-day-wm-" + i, ts, near(c, i), flow, kpa);
        }
        for (int i = 1; i <= 4; i++) {
          power(
              "it-day-pm-" + i,
              ts,
              near(c, i),
              2.5 * demand * (1 + 0.1 * noise.nextGaussian()),
              220 * (1 + 0.02 * noise.nextGaussian()));
        }
        for (int i = 1; i <= 2; i++) {
          gas(
              "it-day-gs-" + i,
              ts,
              near(c, i),
              2.4 - 0.3 * demand + 0.05 * noise.nextGaussian(),
              Math.abs(15 + 10 * noise.nextGaussian()));
        }
      }
      // Every minute up to 23:57 has been closed and judged (the data itself moves event time on).
      long lastEnd = d + (24 * 60 - 3) * MINUTE;
      Map<String, Integer> meters = Map.of("water", 3, "power", 4, "gas", 2);
      for (String utility : List.of("water", "power", "gas")) {
        String zone = zone(c, utility).zone();
        List<Map<String, Object>> minutes = awaitRows(zone, d + MINUTE, lastEnd);
        assertThat(minutes)
            .hasSize(24 * 60 - 3)
            .allSatisfy(r -> assertThat(num(r, "meters_dark")).isZero());
        // Hours ending 01:00 .. 23:00: each the integral over its 60 minutes, every meter counted
        // once.
        List<Map<String, Object>> hours = awaitHourlyRows(zone, d + HOUR, d + 23 * HOUR);
        for (int h = 1; h <= 23; h++) {
          Map<String, Object> row = hours.get(h - 1);
          List<Map<String, Object>> of = minutes.subList((h - 1) * 60, h * 60);
          assertThat(row.get("timestamp"))
              .isEqualTo(Instant.ofEpochMilli(d + h * HOUR).toString().replace("Z", ".000000Z"));
          assertThat(num(row, "meters_reporting"))
              .as(utility + " meters in hour " + h)
              .isEqualTo((double) meters.get(utility));
          assertThat(num(row, "meters_dark")).isZero();
          if ("gas".equals(utility)) {
            assertThat(row.get("consumption")).isNull();
          } else {
            assertThat(num(row, "consumption"))
                .as(utility + " consumption in hour " + h)
                .isCloseTo(of.stream().mapToDouble(r -> num(r, "consumption")).sum(), within(1e-6));
          }
          if ("power".equals(utility)) {
            assertThat(row.get("pressure_kpa_min")).isNull();
          } else {
            assertThat(num(row, "pressure_kpa_min"))
                .as(utility + " lowest pressure in hour " + h)
                .isEqualTo(
                    of.stream().mapToDouble(r -> num(r, "pressure_kpa_min")).min().orElseThrow());
          }
        }
      }
      List<Map<String, Object>> night =
          city.store()
              .query(
                  "SELECT min_flow_m3h, minutes FROM utility_night_flow WHERE zone = '"
                      + zone(c, "water").zone()
                      + "'");
      assertThat(night).hasSize(1);
      assertThat(num(night.get(0), "minutes")).isEqualTo(120.0);
      assertThat(num(night.get(0), "min_flow_m3h"))
          .isBetween(0.5 * 120 * demand(3), 1.5 * 120 * demand(2));
      Thread.sleep(2_000); // time for an alert raised with the last window to arrive
      assertThat(officer.all()).as("alerts on an ordinary day").isEmpty();
    }
  }

  @Test
  @Order(5)
  void aMeterOutsideEveryZoneOfTheCityIsADeadLetterOutsideCity() throws Exception {
    // Shanghai's People's Square: a well-formed reading, but in no water zone of Hangzhou.
    water("it-wm-shanghai", ORDINARY_DAY.toEpochMilli(), new double[] {121.4737, 31.2304}, 1, 300);
    DeadLetter dl = awaitDeadLetter("it-wm-shanghai");
    assertThat(dl.reason()).isEqualTo("outside-city");
    assertThat(dl.stage()).isEqualTo("utility");
    assertThat(dl.topic()).isEqualTo("city.raw.utility");
    assertThat(dl.detail())
        .isEqualTo("it-wm-shanghai at 31.2304,121.4737 is in no water zone of the city");
  }

  private static DeadLetter awaitDeadLetter(String key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, city.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-utility-deadletter-" + key);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(Topics.DEADLETTER));
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (key.equals(r.key())) {
            return DeadLetter.fromJson(r.value());
          }
        }
      }
    }
    throw new AssertionError("no dead letter with key " + key + " within 60 s");
  }

  /** Relative demand over a day in Hangzhou (0..1): low at night, peaks at 07:30 and 19:30. */
  private static double demand(double hour) {
    double morning = Math.exp(-Math.pow((hour - 7.5) / 1.5, 2));
    double evening = Math.exp(-Math.pow((hour - 19.5) / 2.0, 2));
    return 0.15
        + 0.5 * Math.max(morning, evening)
        + 0.25 * Math.exp(-Math.pow((hour - 12.5) / 3.0, 2));
  }

  /** An MQTT subscriber that keeps every alert it receives, in order. */
  private static final class Listener implements AutoCloseable {
    private final MqttClient client;
    private final List<Alert> seen = new CopyOnWriteArrayList<>();

    Listener(String clientId, String topic) throws Exception {
      client = new MqttClient(city.mqttUrl(), clientId, new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      client.connect(o);
      client.subscribe(topic, 1, (t, m) -> seen.add(Alert.fromJson(m.getPayload())));
    }

    Alert awaitState(String alertId, String state) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  seen.stream()
                      .anyMatch(a -> a.alertId().equals(alertId) && a.state().equals(state)));
      return seen.stream()
          .filter(a -> a.alertId().equals(alertId) && a.state().equals(state))
          .findFirst()
          .orElseThrow();
    }

    List<Alert> all() {
      return List.copyOf(seen);
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }
}
