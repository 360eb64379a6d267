package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.KafkaCoordinate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-device cap on open incidents in Flink's keyed test harness. */
class IncidentQuotaTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final Place PLACE = new Place("330106", "c-330106-0007", null);
  private static final EmergencySettings D = EmergencySettings.defaults();

  /** Two tickets per device, two buildings per detector; a fire counts for 10 + 10 minutes. */
  private static final EmergencySettings CAPPED =
      new EmergencySettings(
          D.escalateAfter(),
          D.renotifyEvery(),
          D.fireWindow(),
          Duration.ofMinutes(10),
          D.floodWarningCm(),
          D.floodCriticalCm(),
          D.ticketDeadlines(),
          D.areaInterval(),
          Duration.ofMinutes(10),
          2,
          2);

  private KeyedOneInputStreamOperatorTestHarness<String, SourcedSignal, Signal> harness;

  @BeforeEach
  void setUp() throws Exception {
    nextOffset = 0;
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new IncidentQuota(CAPPED)),
            s -> s.signal().deviceId(),
            Types.STRING);
    harness.open();
    harness.setProcessingTime(0);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void aHotlineBeyondItsOpenTicketsIsRefusedUntilOneIsResolved() throws Exception {
    send(ticket("hotline-1", "T-1", "opened"));
    send(ticket("hotline-1", "T-2", "opened"));
    send(ticket("hotline-1", "T-2", "assigned"));
    send(ticket("hotline-1", "T-3", "opened"));
    send(ticket("hotline-2", "T-9", "opened"));
    assertThat(passed()).containsExactly("ticket|T-1", "ticket|T-2", "ticket|T-2", "ticket|T-9");
    List<DeadLetter> refused = deadLetters();
    assertThat(refused)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo("too-many-incidents");
              assertThat(d.detail())
                  .contains(
                      "hotline-1",
                      "2 open tickets",
                      "emergency.max-open-tickets-per-device",
                      "T-3");
              // Named by its place in Kafka (the fourth record sent), not carried along.
              assertThat(d.topic()).isEqualTo("city.raw.community");
              assertThat(d.partition()).isEqualTo(0);
              assertThat(d.offset()).isEqualTo(3L);
              assertThat(d.key()).isEqualTo("hotline-1");
              assertThat(d.rawPayload()).isEmpty();
            });

    send(ticket("hotline-1", "T-1", "resolved"));
    send(ticket("hotline-1", "T-3", "opened"));
    assertThat(passed()).containsExactly("ticket|T-1", "ticket|T-3");
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void aDetectorInventingBuildingsIsCappedAndItsBuildingsCountOnlyWhileAFireCouldLast()
      throws Exception {
    send(smoke("sd-1", "b-1", true));
    send(smoke("sd-1", "b-2", true));
    send(smoke("sd-1", "b-3", false)); // no alarm: opens nothing, counts nothing
    send(smoke("sd-1", "b-4", true));
    assertThat(passed()).containsExactly("fire|b-1", "fire|b-2", "fire|b-3");
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> assertThat(d.detail()).contains("emergency.max-buildings-per-detector 2", "b-4"));

    harness.setProcessingTime(15 * 60_000L);
    send(smoke("sd-1", "b-1", true)); // b-1 counts again from now; b-2 runs out at 20 minutes
    harness.setProcessingTime(20 * 60_000L + 1);
    send(smoke("sd-1", "b-4", true));
    send(smoke("sd-1", "b-5", true));
    assertThat(passed()).containsExactly("fire|b-1", "fire|b-4");
    assertThat(deadLetters())
        .singleElement()
        .satisfies(d -> assertThat(d.detail()).contains("b-5"));
  }

  @Test
  void sosAndFloodAreKeyedByTheDeviceAndPassUntouched() throws Exception {
    for (int i = 0; i < 5; i++) {
      send(
          signal(
              new Envelope(
                  "sos-" + i,
                  "emergency",
                  "sos",
                  T0,
                  30.25,
                  120.14,
                  Map.of("pressed", true),
                  T0,
                  "mqtt")));
      send(
          signal(
              new Envelope(
                  "sos-1",
                  "emergency",
                  "sos",
                  T0 + i,
                  30.25,
                  120.14,
                  Map.of("pressed", true),
                  T0,
                  "mqtt")));
    }
    assertThat(passed()).hasSize(10);
    assertThat(deadLetters()).isEmpty();
  }

  private void send(SourcedSignal s) throws Exception {
    harness.processElement(new StreamRecord<>(s));
  }

  private List<String> passed() {
    List<String> keys = harness.extractOutputValues().stream().map(Signal::key).toList();
    harness.getOutput().clear();
    return keys;
  }

  private List<DeadLetter> deadLetters() {
    var side = harness.getSideOutput(DeadLetters.TAG);
    if (side == null) {
      return List.of();
    }
    List<DeadLetter> out = side.stream().map(StreamRecord::getValue).toList();
    side.clear();
    return out;
  }

  private static SourcedSignal ticket(String device, String ticketId, String status) {
    return signal(
        new Envelope(
            device,
            "community",
            "ticket",
            T0,
            30.25,
            120.14,
            Map.of("ticketId", ticketId, "category", "water", "status", status),
            T0,
            "mqtt"));
  }

  private static SourcedSignal smoke(String device, String building, boolean alarm) {
    return signal(
        new Envelope(
            device,
            "emergency",
            "smoke",
            T0,
            30.25,
            120.14,
            Map.of("alarm", alarm, "buildingId", building),
            T0,
            "mqtt"));
  }

  /** Offsets of the records the tests make, as one partition of a raw topic would give them. */
  private static long nextOffset;

  private static SourcedSignal signal(Envelope e) {
    return new SourcedSignal(
        TestSignals.from(e, PLACE).orElseThrow(),
        new KafkaCoordinate("city.raw." + e.domain(), 0, nextOffset++),
        e.deviceId());
  }
}
