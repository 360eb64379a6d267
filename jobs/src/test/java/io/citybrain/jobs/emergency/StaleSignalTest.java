package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.Rejected;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaleSignalTest {

  /** 2026-01-05T08:00:00Z: the job's clock in these tests. */
  private static final long NOW = 1_767_600_000_000L;

  private static final long THIRTY_DAYS_AGO = NOW - 30L * 86_400_000L;
  private static final long MAX_AGE = EmergencySettings.defaults().quietToResolve().toMillis();

  private static Envelope sos(long ts) {
    return new Envelope(
        "W-1", "emergency", "sos", ts, 30.25, 120.14, Map.of("pressed", true), NOW, "mqtt");
  }

  @Test
  void aThirtyDayOldSosIsAStaleDeadLetterNotAnAlert() {
    assertThatThrownBy(() -> Signals.checkFresh(sos(THIRTY_DAYS_AGO), NOW, MAX_AGE))
        .isInstanceOf(Rejected.class)
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(((Rejected) e).reason())
                    .isEqualTo(Reason.STALE_TIMESTAMP))
        .hasMessageContaining("W-1's sos");
  }

  @Test
  void theBoundIsTheQuietPeriodThatResolvesAnIncident() {
    assertThatCode(() -> Signals.checkFresh(sos(NOW - MAX_AGE), NOW, MAX_AGE))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Signals.checkFresh(sos(NOW - MAX_AGE - 1), NOW, MAX_AGE))
        .isInstanceOf(Rejected.class);
  }

  @Test
  void ticketStepsAreNotJudgedByThisRule() {
    Envelope ticket =
        new Envelope(
            "hotline",
            "community",
            "ticket",
            THIRTY_DAYS_AGO,
            30.25,
            120.14,
            Map.of("ticketId", "T-1", "category", "road", "status", "opened"),
            NOW,
            "mqtt");
    assertThatCode(() -> Signals.checkFresh(ticket, NOW, MAX_AGE)).doesNotThrowAnyException();
  }
}
