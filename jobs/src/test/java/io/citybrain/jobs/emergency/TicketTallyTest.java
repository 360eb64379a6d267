package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TicketTallyTest {

  private static final String C7 = "c-330106-0007";

  private static TicketEvent event(String ticket, String type, long handlingMs) {
    return new TicketEvent("330106", C7, ticket, type, 0, handlingMs);
  }

  @Test
  void countsTheIntervalAndAveragesTheHandlingTimeOfResolvedTickets() {
    TicketTally t = new TicketTally();
    t.open = 2; // two tickets left open by earlier intervals
    t =
        t.plus(event("T-1", TicketEvent.OPENED, 0))
            .plus(event("T-2", TicketEvent.OPENED, 0))
            .plus(event("T-3", TicketEvent.OPENED, 0))
            // Resolved after 90 s, 30 min and 2 h: (90 + 1,800 + 7,200) / 3 = 3,030 s.
            .plus(event("T-1", TicketEvent.RESOLVED, 90_000))
            .plus(event("T-0", TicketEvent.RESOLVED, 1_800_000))
            .plus(event("T-9", TicketEvent.RESOLVED, 7_200_000))
            .plus(event("T-8", TicketEvent.YELLOW_CARD, 0))
            .plus(event("T-8", TicketEvent.RED_CARD, 0))
            .plus(event("T-2", TicketEvent.YELLOW_CARD, 0));

    // Open: 2 + 3 opened - 3 resolved = 2.
    assertThat(t.row("330106", C7, 120_000))
        .isEqualTo(new CommunityTickets("330106", C7, 120_000, 3, 3, 2, 3030.0, 2, 1));
  }

  @Test
  void anIntervalWithoutResolutionsHasNoMeanAndTheNextKeepsOnlyTheOpenCount() {
    TicketTally t =
        new TicketTally()
            .plus(event("T-1", TicketEvent.OPENED, 0))
            .plus(event("T-1", TicketEvent.YELLOW_CARD, 0));
    assertThat(t.row("330106", null, 60_000))
        .isEqualTo(new CommunityTickets("330106", null, 60_000, 1, 0, 1, null, 1, 0));
    assertThat(t.nextInterval().row("330106", null, 120_000))
        .isEqualTo(new CommunityTickets("330106", null, 120_000, 0, 0, 1, null, 0, 0));
  }

  @Test
  void plusDoesNotChangeTheTallyItIsCalledOn() {
    TicketTally empty = new TicketTally();
    empty.plus(event("T-1", TicketEvent.OPENED, 0));
    assertThat(empty.opened).isZero();
    assertThat(empty.open).isZero();
  }

  @Test
  void anUnknownStepIsRefused() {
    assertThatThrownBy(() -> new TicketTally().plus(event("T-1", "reopened", 0)))
        .hasMessage("unknown ticket event reopened");
  }
}
