package io.citybrain.jobs.traffic;

import static io.citybrain.jobs.traffic.TrafficSavepoints.MINUTE;
import static io.citybrain.jobs.traffic.TrafficSavepoints.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.DeadLetter;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.jobs.traffic.TrafficSavepoints.Reading;
import io.citybrain.testkit.KafkaRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time on the real source: a reading behind the watermark but within the allowed lateness (60 s)
 * re-emits its window with the same window end — the same row in the store, now with every reading
 * — and the district's row follows; a reading later than that is a {@code late} dead letter
 * carrying the original record. Readings are produced one stage at a time, each after the watermark
 * has moved, since a batch read at once would all be on time.
 */
class TrafficLatenessITCase {

  @Test
  void aLateReadingRewritesItsWindowAndATooLateOneIsADeadLetter(@TempDir Path dir)
      throws Exception {
    TrafficSavepoints.Place place = TrafficSavepoints.place();
    try (EmbeddedKafka kafka = TrafficSavepoints.kafka(dir)) {
      String bootstrap = kafka.bootstrapServers();
      JobClient job = TrafficSavepoints.start(bootstrap, null);
      try {
        // Minute 00: 10 vehicles at 50 km/h; a reading at 01:10 moves the watermark to 01:05.
        stage(
            bootstrap,
            place,
            List.of(
                new Reading(T0 + 30_000, 10, 50, 60, 0.1),
                new Reading(T0 + MINUTE + 10_000, 10, 40, 60, 0.1)),
            () -> TrafficSavepoints.segmentRows() >= 1);
        // 00:45 arrives after the window closed, within its lateness: the window is emitted again.
        stage(
            bootstrap,
            place,
            List.of(new Reading(T0 + 45_000, 10, 20, 60, 0.3)),
            () -> TrafficSavepoints.segmentRows() >= 2);
        // 02:10 moves the watermark past 01:59.999, the end of minute 00's lateness.
        stage(
            bootstrap,
            place,
            List.of(new Reading(T0 + 2 * MINUTE + 10_000, 10, 40, 60, 0.1)),
            () -> TrafficSavepoints.segmentRows() >= 3);
        stage(
            bootstrap,
            place,
            List.of(new Reading(T0 + 50_000, 10, 5, 60, 0.9)),
            () -> !Collected.list("deadletters").isEmpty());
        // The dead letter names where the late reading's record is (the job does not carry its
        // bytes through its keyed state): that record is the 00:50 reading.
        DeadLetter letter = Collected.<DeadLetter>list("deadletters").get(0);
        assertThat(letter.payload()).isEmpty();
        assertThat(letter.detail()).contains("segment " + place.segment().segmentId(), "5.0 km/h");
        ConsumerRecord<String, byte[]> record =
            KafkaRecords.at(bootstrap, letter.topic(), letter.partition(), letter.offset());
        assertThat(EnvelopeCodec.decode(record.value()).ts()).isEqualTo(T0 + 50_000);
      } finally {
        job.cancel().get();
      }
    }
    List<SegmentTraffic> rows = Collected.list("segments");
    assertThat(rows)
        .extracting(SegmentTraffic::windowEnd)
        .containsExactly(T0 + MINUTE, T0 + MINUTE, T0 + 2 * MINUTE);
    assertThat(rows.get(0).samples()).isEqualTo(1);
    assertThat(rows.get(0).speedKmh()).isCloseTo(50.0, within(1e-9));
    // 20 vehicles over (10/50 + 10/20) vehicle-hours per km = 28.571 km/h; occupancy (0.1·60 +
    // 0.3·60) / 120 = 0.2.
    assertThat(rows.get(1).samples()).isEqualTo(2);
    assertThat(rows.get(1).speedKmh()).isCloseTo(28.571, within(0.001));
    assertThat(rows.get(1).occupancy()).isCloseTo(0.2, within(1e-9));
    assertThat(rows.get(1).flowVph()).isCloseTo(600.0, within(1e-9));

    List<DistrictTraffic> districts = Collected.list("districts");
    assertThat(districts)
        .filteredOn(d -> d.windowEnd() == T0 + MINUTE)
        .extracting(DistrictTraffic::samples)
        .containsExactly(1L, 2L);

    List<DeadLetter> late = Collected.list("deadletters");
    assertThat(late).hasSize(1);
    assertThat(late.get(0).reason()).isEqualTo("late");
    assertThat(late.get(0).key()).isEqualTo(TrafficSavepoints.DETECTOR);
  }

  private static void stage(
      String bootstrap, TrafficSavepoints.Place place, List<Reading> readings, BooleanSupplier done)
      throws Exception {
    TrafficSavepoints.produce(bootstrap, place, readings);
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(done::getAsBoolean);
  }
}
