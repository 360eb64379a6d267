package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.geography.GeographyPublisher;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Community;
import io.citybrain.geo.Layer;
import io.citybrain.geo.LayerFile;
import io.citybrain.geo.Utility;
import io.citybrain.jobs.emergency.CommunityTickets;
import io.citybrain.jobs.emergency.EmergencyArea;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.jobs.emergency.GeoLocator;
import io.citybrain.jobs.traffic.Collected;
import io.citybrain.jobs.utility.GeoZoneLocator;
import io.citybrain.jobs.utility.NightFlow;
import io.citybrain.jobs.utility.UtilityJob;
import io.citybrain.jobs.utility.UtilitySettings;
import io.citybrain.jobs.utility.UtilityZone;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;

/**
 * An operator replaces geography while the utility and the emergency job run, at parallelism 2,
 * with Kafka in between: two water meters (one per partition) report every event-time minute, and
 * every minute an SOS button inside a community and one outside the city are pressed. Mid-stream
 * the meters' water zone is split in two and the community is renamed; later a zones layer with a
 * self-intersecting zone is published; then both jobs are stopped with a savepoint and restored.
 *
 * <p>Asserted: once a task has read the update, its events carry the new zone and community and
 * never the old one again; every reading is counted in exactly one zone row of its minute and every
 * SOS press gives exactly one alert or one dead letter, across the switch and the restore; the bad
 * layer is one {@code bad-geography} dead letter and changes nothing; after the restore the new
 * geography is in force without being published again.
 */
class GeographyUpdatesITCase {

  // The emergency job refuses SOS signals older than emergency.quiet-to-resolve on its clock: the
  // named instant is just before the test starts, on a minute boundary (windows are minutes).
  private static final long T0 =
      Instant.now()
          .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
          .minus(java.time.Duration.ofMinutes(2))
          .toEpochMilli();
  private static final long MINUTE = 60_000L;
  private static final long SEED = 42;
  private static final CityModel CITY = CityModel.generate(SEED);
  private static final String NEW_COMMUNITY = "c-live-1";

  /** Where things are: the old and new zone and community, and the meters and the button. */
  private record Scene(
      String oldZone,
      String newZone,
      double[][] meters,
      String oldCommunity,
      double[] button,
      byte[] zonesLayer,
      byte[] communitiesLayer,
      byte[] badZonesLayer) {}

  @Test
  void replacedZonesAndCommunitiesApplyMidStreamLoseNothingRefuseBadGeographyAndSurviveARestore(
      @TempDir Path dir) throws Exception {
    Scene scene = scene();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of())) {
      String bootstrap = kafka.bootstrapServers();
      TestJobs.createTopics(bootstrap, 2, Topics.RAW_UTILITY, Topics.RAW_EMERGENCY);
      Feed feed = new Feed(bootstrap, scene);
      try (feed) {
        run(bootstrap, dir, scene, feed);
      }
    }
  }

  private static void run(String bootstrap, Path dir, Scene scene, Feed feed) throws Exception {
    {
      JobClient job = start(bootstrap, null);
      long m = 0;
      try {
        for (; m < 4; m++) {
          feed.minute(m);
        }
        // What the jobs did before the update: located with the seed's geography.
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    sosAlerts().size() == 4
                        && outsideCity().size() == 4
                        && closedMinutes().contains(1L));
        Snapshot beforeUpdate = Snapshot.take();
        assertThat(beforeUpdate.rows())
            .isNotEmpty()
            .allMatch(r -> r.zone().equals(scene.oldZone()));
        assertThat(beforeUpdate.sos()).allMatch(a -> scene.oldCommunity().equals(a.community()));
        GeographyPublisher.publish(bootstrap, "zones", scene.zonesLayer());
        GeographyPublisher.publish(bootstrap, "communities", scene.communitiesLayer());
        long published = m;
        // Keep streaming until both tasks of each job show the new geography (bounded).
        while (!switched(scene) && m < published + 40) {
          feed.minute(m++);
          Thread.sleep(200);
        }
        assertThat(switched(scene))
            .as(
                "both jobs show the new geography; zones rows %s; SOS alerts %s",
                waterRows(),
                sosAlerts().stream().map(x -> x.alertId() + " " + x.community()).toList())
            .isTrue();
        long allSwitched = m;
        for (long end = m + 3; m < end; m++) {
          feed.minute(m);
        }
        GeographyPublisher.publish(bootstrap, "zones", scene.badZonesLayer());
        for (long end = m + 4; m < end; m++) {
          feed.minute(m);
        }
        long lastBeforeStop = m - 1;
        long produced = m;
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    closedMinutes().contains(lastBeforeStop - 2)
                        && sosAlerts().size() == produced
                        && outsideCity().size() == produced
                        && badGeography().size() == 1);

        assertThat(badGeography())
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.stage()).isEqualTo("utility");
                  assertThat(d.key()).isEqualTo("zones");
                  assertThat(d.detail())
                      .contains("'w-bowtie'")
                      .contains("cannot be repaired safely");
                });
        assertAfter(scene, allSwitched, lastBeforeStop - 2);
        job.stopWithSavepoint(
                false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get();
      } catch (Exception | AssertionError e) {
        job.cancel();
        throw e;
      }
      String savepoint = latestSavepoint(dir.resolve("savepoints"));
      Snapshot before = Snapshot.take();

      JobClient restored = start(bootstrap, savepoint);
      long firstAfterRestore = m;
      try {
        for (long end = m + 5; m < end; m++) {
          feed.minute(m);
          Thread.sleep(100);
        }
        long last = m - 1;
        long produced = m - firstAfterRestore;
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    closedMinutes().contains(last - 2)
                        && sosAlerts().size() == produced
                        && outsideCity().size() == produced);
      } finally {
        restored.cancel().get();
      }
      Snapshot all = before.plus(Snapshot.take());
      // After the restore, with nothing republished: the new zone and community only.
      assertThat(
              all.rows().stream()
                  .filter(
                      r ->
                          r.windowEnd() > T0 + firstAfterRestore * MINUTE
                              && r.metersReporting() > 0))
          .isNotEmpty()
          .allMatch(r -> r.zone().equals(scene.newZone()));
      assertThat(all.sos().stream().filter(a -> minuteOf(a) >= firstAfterRestore))
          .isNotEmpty()
          .allMatch(a -> NEW_COMMUNITY.equals(a.community()));
      assertThat(badGeography())
          .as("the restored source does not read the bad layer again")
          .isEmpty();
      // Nothing lost or doubled across the switch and the restore.
      // A minute's window closes a reporting interval (one minute) after its end: the last two are
      // still open.
      for (long minute = 0; minute <= m - 3; minute++) {
        long end = T0 + (minute + 1) * MINUTE;
        assertThat(
                all.rows().stream()
                    .filter(r -> r.windowEnd() == end)
                    .mapToLong(UtilityZone::metersReporting)
                    .sum())
            .as("readings counted in minute %d", minute)
            .isEqualTo(2);
      }
      assertThat(all.sos()).extracting(Alert::alertId).doesNotHaveDuplicates();
      assertThat(
              all.sos().stream().map(GeographyUpdatesITCase::minuteOf).collect(Collectors.toSet()))
          .isEqualTo(range(0, m));
      assertThat(all.outside()).hasSize((int) m);
    }
  }

  private static Set<Long> range(long from, long to) {
    Set<Long> s = new java.util.HashSet<>();
    for (long i = from; i < to; i++) {
      s.add(i);
    }
    return s;
  }

  /**
   * From when both tasks of each job had switched: the new zone and community only; per task, never
   * back.
   */
  private static void assertAfter(Scene scene, long allSwitched, long lastClosed) {
    assertThat(waterRows().stream().filter(r -> r.metersReporting() > 0))
        .filteredOn(r -> minuteOfWindow(r) >= allSwitched && minuteOfWindow(r) <= lastClosed)
        .isNotEmpty()
        .allMatch(r -> r.zone().equals(scene.newZone()));
    assertThat(sosAlerts())
        .filteredOn(a -> minuteOf(a) >= allSwitched)
        .isNotEmpty()
        .allMatch(a -> NEW_COMMUNITY.equals(a.community()));
    // Per partition (one task each), once on the new geography, never back on the old one.
    for (int partition = 0; partition < 2; partition++) {
      int p = partition;
      List<Alert> ofPartition =
          sosAlerts().stream()
              .filter(a -> minuteOf(a) % 2 == p)
              .sorted(java.util.Comparator.comparingLong(GeographyUpdatesITCase::minuteOf))
              .toList();
      boolean seenNew = false;
      for (Alert a : ofPartition) {
        seenNew |= NEW_COMMUNITY.equals(a.community());
        assertThat(!seenNew || NEW_COMMUNITY.equals(a.community()))
            .as("alert %s after the switch", a.alertId())
            .isTrue();
      }
    }
  }

  private static long minuteOfWindow(UtilityZone r) {
    return (r.windowEnd() - T0) / MINUTE - 1;
  }

  /** The event-time minute of an SOS alert, from its device id {@code sos-<minute>}. */
  private static long minuteOf(Alert a) {
    return Long.parseLong(a.alertId().substring(a.alertId().lastIndexOf('-') + 1));
  }

  private static boolean switched(Scene scene) {
    boolean zone =
        waterRows().stream()
            .anyMatch(r -> r.zone().equals(scene.newZone()) && r.metersReporting() == 2);
    Set<Long> parity =
        sosAlerts().stream()
            .filter(a -> NEW_COMMUNITY.equals(a.community()))
            .map(a -> minuteOf(a) % 2)
            .collect(Collectors.toSet());
    return zone && parity.size() == 2;
  }

  private static List<UtilityZone> waterRows() {
    return Collected.<UtilityZone>list("zones").stream()
        .filter(r -> "water".equals(r.utility()))
        .toList();
  }

  private static Set<Long> closedMinutes() {
    return waterRows().stream()
        .filter(r -> r.metersReporting() > 0)
        .map(GeographyUpdatesITCase::minuteOfWindow)
        .collect(Collectors.toSet());
  }

  private static List<DeadLetter> outsideCity() {
    return Collected.<DeadLetter>list("emergency-deadletters").stream()
        .filter(d -> "outside-city".equals(d.reason()))
        .toList();
  }

  private static List<Alert> sosAlerts() {
    return Collected.<Alert>list("emergency-alerts").stream()
        .filter(a -> "sos".equals(a.kind()) && Alert.STATE_RAISED.equals(a.state()))
        .toList();
  }

  private static List<DeadLetter> badGeography() {
    List<DeadLetter> all = new ArrayList<>(Collected.<DeadLetter>list("utility-deadletters"));
    all.addAll(Collected.list("emergency-deadletters"));
    return all.stream().filter(d -> "bad-geography".equals(d.reason())).toList();
  }

  /** What both runs collected: water rows, SOS alerts raised, outside-city dead letters. */
  private record Snapshot(List<UtilityZone> rows, List<Alert> sos, List<DeadLetter> outside) {
    static Snapshot take() {
      return new Snapshot(waterRows(), sosAlerts(), outsideCity());
    }

    Snapshot plus(Snapshot o) {
      List<UtilityZone> r = new ArrayList<>(rows);
      r.addAll(o.rows);
      List<Alert> s = new ArrayList<>(sos);
      s.addAll(o.sos);
      List<DeadLetter> d = new ArrayList<>(outside);
      d.addAll(o.outside);
      return new Snapshot(r, s, d);
    }
  }

  /**
   * The scene: a water zone of West Lake district split west/east, two meters in the east half; a
   * community renamed, the SOS button at its interior point.
   */
  private static Scene scene() {
    var water =
        CITY.zones().stream()
            .filter(z -> z.utility() == Utility.WATER && z.districtCode().equals("330106"))
            .findFirst()
            .orElseThrow();
    org.locationtech.jts.geom.Envelope e = water.boundary().getEnvelopeInternal();
    double midX = (e.getMinX() + e.getMaxX()) / 2;
    GeometryFactory f = water.boundary().getFactory();
    Geometry west =
        water
            .boundary()
            .intersection(
                f.toGeometry(
                    new org.locationtech.jts.geom.Envelope(
                        e.getMinX() - 1, midX, e.getMinY() - 1, e.getMaxY() + 1)));
    Geometry east =
        water
            .boundary()
            .intersection(
                f.toGeometry(
                    new org.locationtech.jts.geom.Envelope(
                        midX, e.getMaxX() + 1, e.getMinY() - 1, e.getMaxY() + 1)));
    List<io.citybrain.geo.UtilityZone> zones = new ArrayList<>(CITY.zones());
    int at = zones.indexOf(water);
    zones.set(
        at,
        new io.citybrain.geo.UtilityZone(
            water.id() + "-e", Utility.WATER, water.districtCode(), east));
    zones.add(
        at,
        new io.citybrain.geo.UtilityZone(
            water.id() + "-w", Utility.WATER, water.districtCode(), west));
    byte[] zonesLayer = CityGeoJson.zones(zones, "it-split-1");
    CityModel split = CITY.with(LayerFile.read(Layer.ZONES, zonesLayer, "it"));

    Point p = east.getInteriorPoint();
    double[][] meters = {{p.getX(), p.getY()}, {p.getX(), p.getY() + 0.0002}};
    for (double[] meter : meters) {
      assertThat(split.index().locate(meter[0], meter[1]).zone(Utility.WATER).orElseThrow().id())
          .isEqualTo(water.id() + "-e");
      assertThat(CITY.index().locate(meter[0], meter[1]).zone(Utility.WATER).orElseThrow().id())
          .isEqualTo(water.id());
    }

    Community c =
        CITY.communities().stream()
            .filter(x -> x.districtCode().equals("330106"))
            .findFirst()
            .orElseThrow();
    Point q = c.boundary().getInteriorPoint();
    assertThat(CITY.index().locate(q.getX(), q.getY()).communityId()).isEqualTo(c.id());
    List<Community> communities = new ArrayList<>(CITY.communities());
    communities.set(
        communities.indexOf(c),
        new Community(NEW_COMMUNITY, c.districtCode(), "Renamed", c.boundary()));
    byte[] communitiesLayer = CityGeoJson.communities(communities, "it-rename-1");

    List<io.citybrain.geo.UtilityZone> bad = new ArrayList<>(zones);
    bad.add(
        new io.citybrain.geo.UtilityZone(
            "w-bowtie",
            Utility.WATER,
            water.districtCode(),
            f.createPolygon(
                new org.locationtech.jts.geom.Coordinate[] {
                  new org.locationtech.jts.geom.Coordinate(p.getX(), p.getY()),
                      new org.locationtech.jts.geom.Coordinate(p.getX() + 0.01, p.getY() + 0.01),
                  new org.locationtech.jts.geom.Coordinate(p.getX() + 0.01, p.getY()),
                      new org.locationtech.jts.geom.Coordinate(p.getX(), p.getY() + 0.01),
                  new org.locationtech.jts.geom.Coordinate(p.getX(), p.getY())
                })));
    return new Scene(
        water.id(),
        water.id() + "-e",
        meters,
        c.id(),
        new double[] {q.getX(), q.getY()},
        zonesLayer,
        communitiesLayer,
        CityGeoJson.zones(bad, "it-bad-1"));
  }

  /**
   * Readings and presses of one event-time minute, each meter and each minute's button on its own
   * partition.
   */
  private static final class Feed implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Scene scene;

    Feed(String bootstrap, Scene scene) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      this.producer = new KafkaProducer<>(p);
      this.scene = scene;
    }

    void minute(long m) throws Exception {
      long ts = T0 + m * MINUTE + 30_000;
      for (int i = 0; i < scene.meters().length; i++) {
        double[] at = scene.meters()[i];
        send(
            Topics.RAW_UTILITY,
            i,
            new Envelope(
                "wm-" + i,
                "utility",
                "water",
                ts,
                at[1],
                at[0],
                Map.of("flowM3h", 2.0, "pressureKPa", 400.0),
                ts,
                "mqtt"));
      }
      int partition = (int) (m % 2);
      send(
          Topics.RAW_EMERGENCY,
          partition,
          new Envelope(
              "sos-" + m,
              "emergency",
              "sos",
              ts,
              scene.button()[1],
              scene.button()[0],
              Map.of("pressed", true),
              ts,
              "mqtt"));
      send(
          Topics.RAW_EMERGENCY,
          partition,
          new Envelope(
              "sos-far-" + m,
              "emergency",
              "sos",
              ts,
              10.0,
              100.0,
              Map.of("pressed", true),
              ts,
              "mqtt"));
      producer.flush();
    }

    private void send(String topic, int partition, Envelope e) throws Exception {
      producer
          .send(
              new ProducerRecord<>(
                  topic,
                  partition,
                  e.ts(),
                  e.deviceId().getBytes(StandardCharsets.UTF_8),
                  EnvelopeCodec.encode(e)))
          .get();
    }

    @Override
    public void close() {
      producer.close();
    }
  }

  private static JobClient start(String bootstrap, String savepoint) throws Exception {
    StreamExecutionEnvironment env = TestJobs.local(2, savepoint);
    JobSettings s =
        TestJobs.settings(bootstrap)
            .checkpointInterval(Duration.ofMinutes(30))
            .idleness(Duration.ofSeconds(30))
            .allowedLateness(Duration.ofSeconds(0))
            .parallelism(2)
            .citySeed(SEED)
            .build();
    JobEnvironment.configure(env, s);
    new UtilityJob(
            KafkaIo.source(bootstrap, "it-utility", Topics.RAW_UTILITY),
            GeographyUpdates.source(bootstrap, "it-utility-geography"),
            Collected.<UtilityZone>into("zones"),
            Collected.<UtilityZone>into("hourly"),
            Collected.<NightFlow>into("night"),
            Collected.<Alert>into("utility-alerts"),
            Collected.<DeadLetter>into("utility-deadletters"),
            new GeoZoneLocator(SEED),
            s,
            UtilitySettings.defaults())
        .build(env);
    new EmergencyJob(
            KafkaIo.source(bootstrap, "it-emergency", Topics.RAW_EMERGENCY),
            KafkaIo.source(bootstrap, "it-emergency-acks", Topics.ACKS),
            GeographyUpdates.source(bootstrap, "it-emergency-geography"),
            Collected.<Alert>into("emergency-alerts"),
            Collected.<DeadLetter>into("emergency-deadletters"),
            Collected.<EmergencyArea>into("areas"),
            Collected.<CommunityTickets>into("tickets"),
            new GeoLocator(SEED),
            EmergencySettings.defaults())
        .build(env);
    return env.executeAsync("geography-updates-it");
  }

  private static String latestSavepoint(Path dir) throws Exception {
    try (var s = java.nio.file.Files.list(dir)) {
      return s.filter(d -> java.nio.file.Files.exists(d.resolve("_metadata")))
          .findFirst()
          .orElseThrow()
          .toUri()
          .toString();
    }
  }
}
