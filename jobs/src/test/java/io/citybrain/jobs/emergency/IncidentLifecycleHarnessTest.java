package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Envelope;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle operator in Flink's keyed test harness: timers fire, state and timers are freed.
 */
class IncidentLifecycleHarnessTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final long MINUTE = 60_000L;
  private static final Place PLACE = new Place("330106", "c-330106-0007", null);

  private KeyedTwoInputStreamOperatorTestHarness<String, Signal, Ack, Alert> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new IncidentLifecycle(EmergencySettings.defaults())),
            Signal::key,
            EmergencyJob::incidentKey,
            Types.STRING);
    harness.open();
    harness.setProcessingTime(0);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static Signal sos(String device, long ts) {
    return TestSignals.from(
            new Envelope(
                device, "emergency", "sos", ts, 30.25, 120.14, Map.of("pressed", true), ts, "mqtt"),
            PLACE)
        .orElseThrow();
  }

  private List<Alert> output() {
    List<Alert> out = harness.extractOutputValues();
    harness.getOutput().clear();
    return out;
  }

  @Test
  void anSosEscalatesOnItsTimerAndIsFreedAfterAcknowledgementAndQuiet() throws Exception {
    harness.processElement1(new StreamRecord<>(sos("W-1", T0)));
    assertThat(output()).extracting(Alert::state).containsExactly("raised");
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(5 * MINUTE);
    assertThat(output())
        .extracting(Alert::state, Alert::scope)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("escalated", "district"));
    harness.setProcessingTime(7 * MINUTE);
    assertThat(output()).extracting(Alert::state).containsExactly("escalated");

    harness.processElement2(
        new StreamRecord<>(new Ack("sos-" + T0 + "-W-1", "manager-7", T0 + 8 * MINUTE)));
    assertThat(output())
        .extracting(Alert::state, Alert::acknowledgedBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("acknowledged", "manager-7"));
    harness.setProcessingTime(9 * MINUTE);
    assertThat(output()).as("no re-notification after the acknowledgement").isEmpty();

    harness.setProcessingTime(7 * MINUTE + 10 * MINUTE + 1);
    assertThat(output()).extracting(Alert::state).containsExactly("resolved");
    assertThat(harness.numProcessingTimeTimers()).as("only the cool-down's").isEqualTo(1);
    harness.setProcessingTime(7 * MINUTE + 20 * MINUTE + 1);
    assertThat(output()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void aPersonAcknowledgesOnlyWhatTheirScopeCoversAndARefusalChangesNothing() throws Exception {
    harness.processElement1(new StreamRecord<>(sos("W-2", T0)));
    assertThat(output()).extracting(Alert::state).containsExactly("raised");
    String id = "sos-" + T0 + "-W-2";
    harness.processElement2(
        new StreamRecord<>(new Ack(id, "mgr-b", T0 + MINUTE, "manager", "c-330106-0008", null)));
    harness.processElement2(
        new StreamRecord<>(new Ack(id, "officer-2", T0 + MINUTE, "officer", "330105", null)));
    harness.processElement2(
        new StreamRecord<>(new Ack(id, "loop-7", T0 + MINUTE, "device", null, null)));
    assertThat(output()).isEmpty();
    assertThat(harness.getSideOutput(io.citybrain.jobs.common.DeadLetters.TAG))
        .extracting(r -> r.getValue().reason(), r -> r.getValue().key())
        .containsOnly(org.assertj.core.groups.Tuple.tuple("ack-refused", id))
        .hasSize(3);
    assertThat(
            harness
                .getSideOutput(io.citybrain.jobs.common.DeadLetters.TAG)
                .peek()
                .getValue()
                .detail())
        .isEqualTo(
            "mgr-b (manager of c-330106-0008) may not acknowledge an alert of district 330106, community c-330106-0007");
    assertThat(harness.numProcessingTimeTimers()).as("the escalation still stands").isEqualTo(1);

    harness.processElement2(
        new StreamRecord<>(
            new Ack(id, "mgr-a", T0 + 2 * MINUTE, "manager", "c-330106-0007", "on my way")));
    assertThat(output())
        .extracting(Alert::state, Alert::acknowledgedBy, Alert::note)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("acknowledged", "mgr-a", "on my way"));
  }

  /**
   * Issue 20, item 4: an alert is assigned, commented on and resolved by people, each change one
   * more record on city.alerts saying who did what; assignments and comments leave the state; a
   * manager of another community may do none of it.
   */
  @Test
  void peopleAssignCommentAndResolveAndEachChangeSaysWhoDidWhat() throws Exception {
    harness.processElement1(new StreamRecord<>(sos("W-5", T0)));
    output();
    String id = "sos-" + T0 + "-W-5";
    harness.processElement2(
        new StreamRecord<>(
            new Ack(
                id, "ops", T0 + MINUTE, "operator", null, "Li is closest", Ack.ASSIGN, "mgr-li")));
    harness.processElement2(
        new StreamRecord<>(
            new Ack(
                id,
                "mgr-li",
                T0 + 2 * MINUTE,
                "manager",
                "c-330106-0007",
                "at the door",
                Ack.COMMENT,
                null)));
    harness.processElement2(
        new StreamRecord<>(
            new Ack(
                id,
                "mgr-b",
                T0 + 3 * MINUTE,
                "manager",
                "c-330106-0008",
                "not mine",
                Ack.RESOLVE,
                null)));
    assertThat(
            harness
                .getSideOutput(io.citybrain.jobs.common.DeadLetters.TAG)
                .peek()
                .getValue()
                .detail())
        .startsWith("mgr-b (manager of c-330106-0008) may not resolve an alert");
    harness.processElement2(
        new StreamRecord<>(
            new Ack(
                id,
                "mgr-li",
                T0 + 4 * MINUTE,
                "manager",
                "c-330106-0007",
                "false alarm: " + "the button was pressed by a child",
                Ack.RESOLVE,
                null)));
    List<Alert> changes = output();
    assertThat(changes)
        .extracting(Alert::state, Alert::action, Alert::actor, Alert::assignee)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("raised", "assigned", "ops", "mgr-li"),
            org.assertj.core.groups.Tuple.tuple("raised", "commented", "mgr-li", "mgr-li"),
            org.assertj.core.groups.Tuple.tuple("resolved", "resolved", "mgr-li", "mgr-li"));
    assertThat(changes.get(2).note()).isEqualTo("false alarm: the button was pressed by a child");
    assertThat(changes.get(2).toJson())
        .asString()
        .contains("\"actor\":\"mgr-li\",\"action\":\"resolved\"");
    assertThat(harness.numProcessingTimeTimers())
        .as("only the cool-down's: no escalation after a person resolved it")
        .isEqualTo(1);
    // Resolved: nothing more to acknowledge, assign or resolve; a comment is still heard while it
    // cools down.
    harness.processElement2(
        new StreamRecord<>(
            new Ack(id, "mgr-li", T0 + 5 * MINUTE, "manager", "c-330106-0007", null)));
    harness.processElement2(
        new StreamRecord<>(
            new Ack(
                id,
                "mgr-li",
                T0 + 5 * MINUTE,
                "manager",
                "c-330106-0007",
                "again",
                Ack.RESOLVE,
                null)));
    assertThat(output()).isEmpty();
  }

  @Test
  void anOfficerOfTheDistrictAndAnyOperatorMayAcknowledge() throws Exception {
    for (String[] who : new String[][] {{"W-3", "officer", "330106"}, {"W-4", "operator", null}}) {
      harness.processElement1(new StreamRecord<>(sos(who[0], T0)));
      harness.processElement2(
          new StreamRecord<>(
              new Ack("sos-" + T0 + "-" + who[0], "p", T0 + MINUTE, who[1], who[2], null)));
      assertThat(output())
          .extracting(Alert::state)
          .as(who[1])
          .containsExactly("raised", "acknowledged");
    }
  }

  private static Signal smoke(String detector, long ts) {
    return TestSignals.from(
            new Envelope(
                detector,
                "emergency",
                "smoke",
                ts,
                30.25,
                120.14,
                Map.of("alarm", true, "buildingId", "b-1"),
                ts,
                "mqtt"),
            PLACE)
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
                Map.of("ticketId", "T-5", "category", "safety", "status", status),
                ts,
                "mqtt"),
            PLACE)
        .orElseThrow();
  }

  private List<TicketEvent> ticketSteps() {
    List<TicketEvent> out =
        harness.getSideOutput(IncidentLifecycle.TICKETS).stream()
            .map(StreamRecord::getValue)
            .toList();
    harness.getSideOutput(IncidentLifecycle.TICKETS).clear();
    return out;
  }

  @Test
  void anUnacknowledgedFireIsEscalatedRenotifiedAndOnQuietResolvedWithEveryTimerFreed()
      throws Exception {
    harness.processElement1(new StreamRecord<>(smoke("S-1", T0)));
    harness.processElement1(new StreamRecord<>(smoke("S-2", T0 + 1000)));
    assertThat(output())
        .extracting(Alert::kind, Alert::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("fire_unconfirmed", "raised"),
            org.assertj.core.groups.Tuple.tuple("fire", "raised"));
    assertThat(harness.numProcessingTimeTimers()).as("escalation and quiet").isEqualTo(2);

    harness.setProcessingTime(5 * MINUTE);
    assertThat(output()).extracting(Alert::state).containsExactly("escalated");
    harness.setProcessingTime(9 * MINUTE);
    assertThat(output()).extracting(Alert::state).containsExactly("escalated", "escalated");
    assertThat(harness.numProcessingTimeTimers()).as("re-notification and quiet").isEqualTo(2);

    harness.setProcessingTime(10 * MINUTE);
    assertThat(output()).extracting(Alert::state).containsExactly("resolved");
    assertThat(harness.numProcessingTimeTimers())
        .as("the pending re-notification is deleted; the cool-down's remains")
        .isEqualTo(1);
    harness.setProcessingTime(20 * MINUTE);
    assertThat(output()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void anSosPressedAgainWithinTheCooldownReopensTheSameAlert() throws Exception {
    harness.processElement1(new StreamRecord<>(sos("W-3", T0)));
    String alertId = "sos-" + T0 + "-W-3";
    harness.processElement2(new StreamRecord<>(new Ack(alertId, "manager-7", T0 + MINUTE)));
    harness.setProcessingTime(10 * MINUTE);
    assertThat(output())
        .extracting(Alert::state)
        .containsExactly("raised", "acknowledged", "resolved");

    harness.processElement1(new StreamRecord<>(sos("W-3", T0 + 12 * MINUTE)));
    assertThat(output())
        .extracting(Alert::alertId, Alert::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(alertId, "raised"));
    harness.setProcessingTime(15 * MINUTE);
    assertThat(output())
        .as("re-opened, unanswered: escalated again")
        .extracting(Alert::alertId, Alert::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(alertId, "escalated"));
  }

  @Test
  void aTicketGetsItsCardsOnTimersAndIsFreedWhenResolvedWithItsStepsOnTheSideOutput()
      throws Exception {
    long deadline = 4 * 60 * MINUTE; // category safety
    harness.processElement1(new StreamRecord<>(ticket("opened", T0)));
    harness.processElement1(new StreamRecord<>(ticket("assigned", T0 + MINUTE)));
    assertThat(output()).as("no alert before the yellow card").isEmpty();
    assertThat(ticketSteps())
        .containsExactly(
            new TicketEvent("330106", "c-330106-0007", "T-5", TicketEvent.OPENED, T0, 0));
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(deadline * 8 / 10);
    assertThat(output())
        .extracting(Alert::kind, Alert::severity, Alert::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ticket_overdue", "warning", "raised"));
    harness.setProcessingTime(deadline);
    assertThat(output())
        .extracting(Alert::severity, Alert::state, Alert::scope)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("critical", "escalated", "district"));
    assertThat(ticketSteps())
        .extracting(TicketEvent::type, TicketEvent::ts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TicketEvent.YELLOW_CARD, deadline * 8 / 10),
            org.assertj.core.groups.Tuple.tuple(TicketEvent.RED_CARD, deadline));
    assertThat(harness.numProcessingTimeTimers()).as("no timer after the red card").isZero();

    harness.processElement1(new StreamRecord<>(ticket("resolved", T0 + 5 * 60 * MINUTE)));
    assertThat(output()).extracting(Alert::state).containsExactly("resolved");
    assertThat(ticketSteps())
        .containsExactly(
            new TicketEvent(
                "330106",
                "c-330106-0007",
                "T-5",
                TicketEvent.RESOLVED,
                T0 + 5 * 60 * MINUTE,
                5 * 60 * MINUTE));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void aTicketResolvedBeforeItsYellowCardFreesItsTimer() throws Exception {
    harness.processElement1(new StreamRecord<>(ticket("opened", T0)));
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    harness.processElement1(new StreamRecord<>(ticket("resolved", T0 + 90_000)));
    assertThat(output()).isEmpty();
    assertThat(ticketSteps())
        .extracting(TicketEvent::type, TicketEvent::handlingMs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TicketEvent.OPENED, 0L),
            org.assertj.core.groups.Tuple.tuple(TicketEvent.RESOLVED, 90_000L));
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
    harness.setProcessingTime(4 * 60 * MINUTE);
    assertThat(output()).as("no card for a resolved ticket").isEmpty();
  }

  @Test
  void anAckOfAnUnknownAlertLeavesNoState() throws Exception {
    harness.processElement2(new StreamRecord<>(new Ack("sos-123-nobody", "m", T0)));
    harness.processElement2(new StreamRecord<>(new Ack("not-ours", "m", T0)));
    assertThat(output()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void twoDevicesAreTwoIncidents() throws Exception {
    harness.processElement1(new StreamRecord<>(sos("W-1", T0)));
    harness.processElement1(new StreamRecord<>(sos("W-2", T0)));
    harness.processElement1(new StreamRecord<>(sos("W-1", T0 + 1000)));
    assertThat(output())
        .extracting(Alert::alertId)
        .containsExactly("sos-" + T0 + "-W-1", "sos-" + T0 + "-W-2");
  }
}
