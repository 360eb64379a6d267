package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Envelope;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentsTest {

  /** Event time of the first reading, and the processing time it is handled at. */
  private static final long T0 = 1_767_600_000_000L;

  private static final long NOW = 1_767_600_000_500L;
  private static final long MINUTE = 60_000L;
  private static final EmergencySettings CFG = EmergencySettings.defaults();
  private static final Place XIHU_C7 = new Place("330106", "c-330106-0007", "b-1", "西湖消防站", 1234.0);

  private static Signal smoke(String detector, long ts) {
    return TestSignals.from(
            new Envelope(
                detector,
                "emergency",
                "smoke",
                ts,
                30.25,
                120.14,
                Map.of("alarm", true),
                ts,
                "mqtt"),
            XIHU_C7)
        .orElseThrow();
  }

  private static Signal sos(long ts) {
    return TestSignals.from(
            new Envelope(
                "W-9", "emergency", "sos", ts, 30.25, 120.14, Map.of("pressed", true), ts, "mqtt"),
            XIHU_C7)
        .orElseThrow();
  }

  private static Signal flood(double depth, long ts) {
    return TestSignals.from(
            new Envelope(
                "G-1",
                "emergency",
                "flood",
                ts,
                30.25,
                120.14,
                Map.of("depthCm", depth),
                ts,
                "mqtt"),
            XIHU_C7)
        .orElseThrow();
  }

  private static Signal ticket(String status, long ts) {
    return TestSignals.from(
            new Envelope(
                "hotline",
                "community",
                "ticket",
                ts,
                30.25,
                120.14,
                Map.of("ticketId", "T-77", "category", "water", "status", status),
                ts,
                "mqtt"),
            XIHU_C7)
        .orElseThrow();
  }

  @Test
  void oneAlarmIsUnconfirmedAndASecondDetectorMakesTheSameAlertAFire() {
    Incidents.Result first = Incidents.onSignal(null, smoke("S-1", T0), CFG, NOW);
    Alert unconfirmed = first.alerts().get(0);
    assertThat(unconfirmed.kind()).isEqualTo("fire_unconfirmed");
    assertThat(unconfirmed.severity()).isEqualTo("warning");
    assertThat(unconfirmed.scope()).isEqualTo("community");
    assertThat(unconfirmed.alertId()).isEqualTo("fire-" + T0 + "-b-1");

    Incidents.Result repeat =
        Incidents.onSignal(first.next(), smoke("S-1", T0 + 10_000), CFG, NOW + 10_000);
    assertThat(repeat.alerts()).as("a repeat of the same detector updates silently").isEmpty();

    Incidents.Result second =
        Incidents.onSignal(repeat.next(), smoke("S-2", T0 + 90_000), CFG, NOW + 90_000);
    Alert fire = second.alerts().get(0);
    assertThat(fire.alertId()).isEqualTo(unconfirmed.alertId());
    assertThat(fire.kind()).isEqualTo("fire");
    assertThat(fire.severity()).isEqualTo("critical");
    assertThat(fire.scope()).isEqualTo("district");
    assertThat(fire.evidence())
        .extracting(e -> e.deviceId())
        .containsExactly("S-1", "S-2", "西湖消防站");
    assertThat(fire.evidence()[2].value()).isEqualTo(1234.0);
    assertThat(fire.message())
        .contains("nearest fire station 西湖消防站, 1.2 km")
        .contains("最近消防站 西湖消防站（直线 1.2 公里）");

    Incidents.Result third =
        Incidents.onSignal(second.next(), smoke("S-3", T0 + 100_000), CFG, NOW + 100_000);
    assertThat(third.alerts()).as("more detectors do not raise another alert").isEmpty();
  }

  @Test
  void alarmsFurtherApartThanTheFireWindowStayUnconfirmed() {
    Incidents.Result first = Incidents.onSignal(null, smoke("S-1", T0), CFG, NOW);
    Incidents.Result second =
        Incidents.onSignal(first.next(), smoke("S-2", T0 + 3 * MINUTE), CFG, NOW + 3 * MINUTE);
    assertThat(second.alerts()).isEmpty();
    assertThat(second.next().kind).isEqualTo("fire_unconfirmed");
  }

  @Test
  void aFireIsResolvedAfterAQuietPeriodAndItsStateIsFreedAfterTheCooldown() {
    Incident inc = Incidents.onSignal(null, smoke("S-1", T0), CFG, NOW).next();
    assertThat(inc.resolveAt).isEqualTo(NOW + CFG.quietToResolve().toMillis());
    Incidents.Result resolved = Incidents.onTimer(inc, inc.resolveAt, CFG);
    assertThat(resolved.alerts()).extracting(Alert::state).containsExactly("resolved");
    Incident cooling = resolved.next();
    assertThat(cooling.timers())
        .containsExactlyInAnyOrder(0L, 0L, 0L, 0L, inc.resolveAt + CFG.cooldown().toMillis());
    Incidents.Result forgotten = Incidents.onTimer(cooling, cooling.forgetAt, CFG);
    assertThat(forgotten.next()).isNull();
    assertThat(forgotten.alerts()).isEmpty();
  }

  @Test
  void aRepeatWithinTheCooldownReopensTheSameAlertAndOneAfterItRaisesANewOne() {
    Incident inc = Incidents.onSignal(null, flood(20, T0), CFG, NOW).next();
    Incidents.Result resolved = Incidents.onSignal(inc, flood(14, T0 + MINUTE), CFG, NOW + MINUTE);
    assertThat(resolved.alerts()).extracting(Alert::state).containsExactly("resolved");
    Incident cooling = resolved.next();
    assertThat(cooling.forgetAt).isEqualTo(NOW + MINUTE + 10 * MINUTE);
    assertThat(
            Incidents.onSignal(cooling, flood(13, T0 + 2 * MINUTE), CFG, NOW + 2 * MINUTE).alerts())
        .as("still below the threshold: nothing to say")
        .isEmpty();
    assertThat(
            Incidents.onAck(
                    cooling, new Ack("flood-" + T0 + "-G-1", "m", T0), CFG, NOW + 2 * MINUTE)
                .alerts())
        .as("a resolved alert is not acknowledged")
        .isEmpty();

    Incidents.Result again =
        Incidents.onSignal(cooling, flood(31, T0 + 3 * MINUTE), CFG, NOW + 3 * MINUTE);
    assertThat(again.alerts())
        .extracting(Alert::alertId, Alert::state, Alert::severity, Alert::ts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "flood-" + T0 + "-G-1", "raised", "critical", T0 + 3 * MINUTE));
    assertThat(again.next().forgetAt).isZero();
    assertThat(again.next().escalateAt)
        .as("critical again: escalates if unanswered")
        .isEqualTo(NOW + 3 * MINUTE + 5 * MINUTE);

    Incident cooled =
        Incidents.onSignal(again.next(), flood(0, T0 + 4 * MINUTE), CFG, NOW + 4 * MINUTE).next();
    assertThat(Incidents.onTimer(cooled, cooled.forgetAt, CFG).next()).isNull();
    Incidents.Result fresh =
        Incidents.onSignal(null, flood(16, T0 + 20 * MINUTE), CFG, NOW + 20 * MINUTE);
    assertThat(fresh.alerts())
        .extracting(Alert::alertId)
        .containsExactly("flood-" + (T0 + 20 * MINUTE) + "-G-1");
  }

  @Test
  void ticketStepsAreCountedForTheCommunity() {
    Incidents.Result opened = Incidents.onSignal(null, ticket("opened", T0), CFG, NOW);
    assertThat(opened.tickets())
        .containsExactly(
            new TicketEvent("330106", "c-330106-0007", "T-77", TicketEvent.OPENED, T0, 0));
    assertThat(
            Incidents.onSignal(opened.next(), ticket("assigned", T0 + MINUTE), CFG, NOW + MINUTE)
                .tickets())
        .as("assignment is no step the indicators count")
        .isEmpty();
    Incidents.Result yellow = Incidents.onTimer(opened.next(), opened.next().cardAt, CFG);
    assertThat(yellow.tickets())
        .extracting(TicketEvent::type)
        .containsExactly(TicketEvent.YELLOW_CARD);
    Incidents.Result red = Incidents.onTimer(yellow.next(), yellow.next().cardAt, CFG);
    assertThat(red.tickets()).extracting(TicketEvent::type).containsExactly(TicketEvent.RED_CARD);
    Incidents.Result resolved =
        Incidents.onSignal(
            red.next(), ticket("resolved", T0 + 30 * 60 * MINUTE), CFG, NOW + 30 * 60 * MINUTE);
    assertThat(resolved.tickets())
        .containsExactly(
            new TicketEvent(
                "330106",
                "c-330106-0007",
                "T-77",
                TicketEvent.RESOLVED,
                T0 + 30 * 60 * MINUTE,
                30 * 60 * MINUTE));
    assertThat(Incidents.onSignal(null, ticket("resolved", T0), CFG, NOW).tickets())
        .as("a ticket we never saw opened is not counted")
        .isEmpty();
  }

  @Test
  void anUnansweredSosIsEscalatedThenRenotifiedUntilAcknowledged() {
    Incidents.Result raised = Incidents.onSignal(null, sos(T0), CFG, NOW);
    Alert a = raised.alerts().get(0);
    assertThat(a.alertId()).isEqualTo("sos-" + T0 + "-W-9");
    assertThat(a.severity()).isEqualTo("critical");
    assertThat(a.scope()).isEqualTo("community");
    long escalateAt = NOW + 5 * MINUTE;
    assertThat(raised.next().escalateAt).isEqualTo(escalateAt);

    Incidents.Result escalated = Incidents.onTimer(raised.next(), escalateAt, CFG);
    assertThat(escalated.alerts())
        .extracting(Alert::state, Alert::scope)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("escalated", "district"));
    long renotifyAt = escalateAt + 2 * MINUTE;
    Incidents.Result renotified = Incidents.onTimer(escalated.next(), renotifyAt, CFG);
    assertThat(renotified.alerts()).extracting(Alert::state).containsExactly("escalated");
    assertThat(renotified.next().renotifyAt).isEqualTo(renotifyAt + 2 * MINUTE);

    Incidents.Result acked =
        Incidents.onAck(
            renotified.next(),
            new Ack(a.alertId(), "manager-7", T0 + 8 * MINUTE),
            CFG,
            renotifyAt + 1000);
    Alert ack = acked.alerts().get(0);
    assertThat(ack.state()).isEqualTo("acknowledged");
    assertThat(ack.acknowledgedBy()).isEqualTo("manager-7");
    assertThat(acked.next().renotifyAt).isZero();
    assertThat(acked.next().escalateAt).isZero();

    Incidents.Result resolved = Incidents.onTimer(acked.next(), acked.next().resolveAt, CFG);
    assertThat(resolved.next().state).isEqualTo("resolved");
    assertThat(resolved.alerts()).extracting(Alert::state).containsExactly("resolved");
  }

  @Test
  void anAckForAnotherAlertOrASecondAckChangesNothing() {
    Incident inc = Incidents.onSignal(null, sos(T0), CFG, NOW).next();
    assertThat(Incidents.onAck(inc, new Ack("sos-1-other", "m", T0), CFG, NOW).alerts()).isEmpty();
    Incident acked = Incidents.onAck(inc, new Ack(inc.alertId, "m", T0), CFG, NOW).next();
    assertThat(Incidents.onAck(acked, new Ack(inc.alertId, "m2", T0), CFG, NOW).alerts()).isEmpty();
  }

  @Test
  void floodDepthsRaiseAWarningThenCriticalThenResolve() {
    assertThat(Incidents.onSignal(null, flood(14.9, T0), CFG, NOW).alerts()).isEmpty();
    Incidents.Result warning = Incidents.onSignal(null, flood(15, T0), CFG, NOW);
    assertThat(warning.alerts()).extracting(Alert::severity).containsExactly("warning");
    Incidents.Result critical =
        Incidents.onSignal(warning.next(), flood(30, T0 + MINUTE), CFG, NOW + MINUTE);
    assertThat(critical.alerts())
        .extracting(Alert::severity, Alert::alertId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("critical", "flood-" + T0 + "-G-1"));
    Incidents.Result lower =
        Incidents.onSignal(critical.next(), flood(20, T0 + 2 * MINUTE), CFG, NOW + 2 * MINUTE);
    assertThat(lower.alerts()).as("severity does not flap down while the incident lasts").isEmpty();
    Incidents.Result resolved =
        Incidents.onSignal(lower.next(), flood(5, T0 + 3 * MINUTE), CFG, NOW + 3 * MINUTE);
    assertThat(resolved.alerts()).extracting(Alert::state).containsExactly("resolved");
    assertThat(resolved.next().forgetAt).isEqualTo(NOW + 3 * MINUTE + CFG.cooldown().toMillis());
  }

  @Test
  void aTicketGetsAYellowCardAt80PercentAndARedCardAtItsDeadline() {
    Incidents.Result opened = Incidents.onSignal(null, ticket("opened", T0), CFG, NOW);
    assertThat(opened.alerts()).isEmpty();
    long deadline = Duration.ofHours(24).toMillis(); // category water
    assertThat(opened.next().cardAt).isEqualTo(NOW + deadline * 8 / 10);
    Incidents.Result yellow = Incidents.onTimer(opened.next(), opened.next().cardAt, CFG);
    assertThat(yellow.alerts())
        .extracting(Alert::kind, Alert::severity, Alert::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ticket_overdue", "warning", "raised"));
    Incidents.Result red = Incidents.onTimer(yellow.next(), NOW + deadline, CFG);
    assertThat(red.alerts())
        .extracting(Alert::severity, Alert::state, Alert::scope)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("critical", "escalated", "district"));
    Incidents.Result resolved =
        Incidents.onSignal(red.next(), ticket("resolved", T0 + deadline), CFG, NOW + deadline + 1);
    assertThat(resolved.alerts()).extracting(Alert::state).containsExactly("resolved");
    assertThat(resolved.next()).isNull();
  }

  @Test
  void aTicketResolvedInTimeNeverAlerts() {
    Incident opened = Incidents.onSignal(null, ticket("opened", T0), CFG, NOW).next();
    Incidents.Result resolved =
        Incidents.onSignal(opened, ticket("resolved", T0 + MINUTE), CFG, NOW + MINUTE);
    assertThat(resolved.alerts()).isEmpty();
    assertThat(resolved.next()).isNull();
  }

  @Test
  void alertIdsLeadBackToTheirIncident() {
    assertThat(Signals.keyOfAlert("fire-" + T0 + "-b-330106-0001")).contains("fire|b-330106-0001");
    assertThat(Signals.keyOfAlert("sos-" + T0 + "-W.9")).contains("sos|W.9");
    assertThat(Signals.keyOfAlert("weather-1-x")).isEmpty();
    assertThat(Signals.keyOfAlert("sos-1")).isEmpty();
  }

  @Test
  void detectorsWithoutABuildingWithin30mShareACell() {
    // 10 m apart (about 0.0001° of longitude at 30°N) falls in one 30 m cell most of the time; the
    // same point always does.
    // Cell ids are part of incident ids already raised and stored: their text must not change
    // (these are what String.format(Locale.ROOT, "cell-%d-%d", x, y) gave).
    assertThat(Signals.cell(120.14, 30.25)).isEqualTo("cell-384113-112247");
    assertThat(Signals.cell(-0.12, 51.5)).isEqualTo("cell--278-191099");
    assertThat(Signals.cell(-70.6, -33.4)).isEqualTo("cell--218456--123937");
    assertThat(Signals.cell(120.14, 30.25)).isEqualTo(Signals.cell(120.14, 30.25));
    assertThat(Signals.cell(120.14, 30.25)).isNotEqualTo(Signals.cell(120.141, 30.25));
  }
}
