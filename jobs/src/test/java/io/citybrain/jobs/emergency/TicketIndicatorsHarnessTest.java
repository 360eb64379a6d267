package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TicketIndicatorsHarnessTest {

  private static final long MINUTE = 60_000L;
  private static final String C7 = "c-330106-0007";
  private static final String C8 = "c-330106-0008";

  private static StreamRecord<TicketEvent> step(
      String community, String ticket, String type, long handlingMs) {
    return new StreamRecord<>(new TicketEvent("330106", community, ticket, type, 0, handlingMs));
  }

  @Test
  void oneRowPerCommunityAndMinuteUntilNoTicketIsOpenThenTheAreaIsFreed() throws Exception {
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new TicketIndicators(MINUTE)),
            TicketEvent::areaKey,
            Types.STRING)) {
      harness.open();
      harness.setProcessingTime(10_000);
      harness.processElement(step(C7, "T-1", TicketEvent.OPENED, 0));
      harness.processElement(step(C7, "T-2", TicketEvent.OPENED, 0));
      harness.processElement(step(C8, "T-3", TicketEvent.OPENED, 0));
      harness.processElement(step(C8, "T-3", TicketEvent.RESOLVED, 45_000));

      harness.setProcessingTime(MINUTE);
      assertThat(harness.extractOutputValues())
          .containsExactlyInAnyOrder(
              new CommunityTickets("330106", C7, MINUTE, 2, 0, 2, null, 0, 0),
              new CommunityTickets("330106", C8, MINUTE, 1, 1, 0, 45.0, 0, 0));
      harness.getOutput().clear();
      assertThat(harness.numProcessingTimeTimers()).as("C8 has nothing open: freed").isEqualTo(1);

      harness.processElement(step(C7, "T-1", TicketEvent.YELLOW_CARD, 0));
      harness.setProcessingTime(2 * MINUTE);
      assertThat(harness.extractOutputValues())
          .containsExactly(new CommunityTickets("330106", C7, 2 * MINUTE, 0, 0, 2, null, 1, 0));
      harness.getOutput().clear();

      harness.setProcessingTime(3 * MINUTE);
      assertThat(harness.extractOutputValues())
          .as("a quiet minute with tickets open still has its row")
          .containsExactly(new CommunityTickets("330106", C7, 3 * MINUTE, 0, 0, 2, null, 0, 0));
      harness.getOutput().clear();

      // Handled in 100 s and 300 s: 200 s on average.
      harness.processElement(step(C7, "T-1", TicketEvent.RED_CARD, 0));
      harness.processElement(step(C7, "T-1", TicketEvent.RESOLVED, 100_000));
      harness.processElement(step(C7, "T-2", TicketEvent.RESOLVED, 300_000));
      harness.setProcessingTime(4 * MINUTE);
      assertThat(harness.extractOutputValues())
          .containsExactly(new CommunityTickets("330106", C7, 4 * MINUTE, 0, 2, 0, 200.0, 0, 1));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numProcessingTimeTimers()).isZero();
    }
  }
}
