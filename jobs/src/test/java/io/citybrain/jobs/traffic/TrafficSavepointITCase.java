package io.citybrain.jobs.traffic;

import static io.citybrain.jobs.traffic.TrafficSavepoints.MINUTE;
import static io.citybrain.jobs.traffic.TrafficSavepoints.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The current traffic job restores every savepoint committed under {@code
 * src/test/resources/savepoints/traffic/} (written by earlier builds with {@link
 * TrafficSavepointWriter}), with unclaimed state refused — an operator whose uid changed or
 * vanished, or state whose serializer can no longer read it, fails here — and goes on from it:
 * minute 06's window and the segment's speed history come from the savepoint, so the figures and
 * the incident below are only right if the restored state is used.
 */
class TrafficSavepointITCase {

  /**
   * Each savepoint on the heap backend (the local city's) and on RocksDB (production's): a state
   * whose serializer changed is migrated by each backend in its own way (issue 22's {@code
   * ProbeFixSerializer}).
   */
  static Stream<Arguments> savepoints() throws Exception {
    try (Stream<Path> dirs = Files.list(Path.of("src/test/resources/savepoints/traffic"))) {
      List<Path> all = dirs.filter(d -> Files.exists(d.resolve("_metadata"))).sorted().toList();
      assertThat(all).as("committed traffic savepoints").isNotEmpty();
      return all.stream()
          .flatMap(p -> Stream.of(Arguments.of(p, "hashmap"), Arguments.of(p, "rocksdb")));
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("savepoints")
  void theCurrentJobGoesOnFromASavepointOfAnEarlierBuild(
      Path savepoint, String backend, @TempDir Path dir) throws Exception {
    TrafficSavepoints.Place place = TrafficSavepoints.place();
    try (EmbeddedKafka kafka = TrafficSavepoints.kafka(dir)) {
      // The same records as before the savepoint, so that the restored offset (7) points at the
      // first new one.
      TrafficSavepoints.produce(kafka.bootstrapServers(), place, TrafficSavepoints.before());
      TrafficSavepoints.produce(kafka.bootstrapServers(), place, TrafficSavepoints.after());
      JobClient job =
          TrafficSavepoints.start(
              kafka.bootstrapServers(), savepoint.toAbsolutePath().toUri().toString(), backend);
      try {
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    TrafficSavepoints.segmentRows() >= 2
                        && TrafficSavepoints.districtRows() >= 2
                        && !Collected.list("alerts").isEmpty());
      } finally {
        job.cancel().get();
      }
    }
    String segment = place.segment().segmentId();
    double freeFlow = place.segment().freeFlowKmh();
    List<SegmentTraffic> rows = Collected.list("segments");
    // Minute 06: 4 vehicles at 50 km/h (before the savepoint) and 4 at 6 km/h, each over 20 s.
    // Space-mean speed 8 / (4/50 + 4/6) = 8 / 0.74667 = 10.714 km/h; flow 8 / 40 s = 720 veh/h;
    // occupancy (0.1·20 + 0.6·20) / 40 = 0.35. Without the restored window: 6 km/h, 0.6, 1 sample.
    assertThat(rows)
        .extracting(SegmentTraffic::windowEnd)
        .containsExactly(T0 + 7 * MINUTE, T0 + 8 * MINUTE);
    SegmentTraffic m6 = rows.get(0);
    assertThat(m6.segment()).isEqualTo(segment);
    assertThat(m6.speedKmh()).isCloseTo(10.714, within(0.001));
    assertThat(m6.flowVph()).isCloseTo(720.0, within(1e-9));
    assertThat(m6.occupancy()).isCloseTo(0.35, within(1e-9));
    assertThat(m6.samples()).isEqualTo(2);
    assertThat(m6.tti()).isCloseTo(Math.min(10, freeFlow / 10.714), within(0.001));
    assertThat(rows.get(1).speedKmh()).isCloseTo(8.0, within(1e-9));
    assertThat(rows.get(1).samples()).isEqualTo(1);

    List<DistrictTraffic> districts = Collected.list("districts");
    assertThat(districts)
        .extracting(DistrictTraffic::windowEnd)
        .containsExactly(T0 + 7 * MINUTE, T0 + 8 * MINUTE);
    assertThat(districts.get(0).district()).isEqualTo(place.segment().district());
    assertThat(districts.get(0).samples()).isEqualTo(2);
    assertThat(districts.get(0).meanSpeedKmh()).isCloseTo(10.714, within(0.001));

    // The median of the six minutes before the savepoint (50 km/h) is the baseline: 10.7 < 40% of
    // it raises the incident. Without the restored history there would be no baseline and no alert.
    List<Alert> alerts = Collected.list("alerts");
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.alertId()).isEqualTo("traffic_incident-" + (T0 + 7 * MINUTE) + "-" + segment);
    assertThat(a.state()).isEqualTo(Alert.STATE_RAISED);
    assertThat(a.evidence())
        .filteredOn(e -> "baselineKmh".equals(e.reading()))
        .extracting(Evidence::value)
        .containsExactly(50.0);
    assertThat(Collected.list("deadletters")).isEmpty();
  }
}
