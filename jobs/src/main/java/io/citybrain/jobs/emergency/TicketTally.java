package io.citybrain.jobs.emergency;

/**
 * What one area's tickets did in the current interval, and how many are open: a pure value, {@link
 * TicketIndicators} keeps it in state. A Flink POJO so that it is serialized without Kryo.
 */
public final class TicketTally {
  public long opened;
  public long resolved;

  /** Summed handling time of the tickets resolved in the interval. */
  public long handlingMs;

  public long yellow;
  public long red;

  /** Open at this moment; carried from one interval to the next. */
  public long open;

  public TicketTally() {}

  /** This tally with one more event counted. */
  public TicketTally plus(TicketEvent e) {
    TicketTally t = copy();
    switch (e.type()) {
      case TicketEvent.OPENED -> {
        t.opened++;
        t.open++;
      }
      case TicketEvent.RESOLVED -> {
        t.resolved++;
        t.handlingMs += e.handlingMs();
        t.open--;
      }
      case TicketEvent.YELLOW_CARD -> t.yellow++;
      case TicketEvent.RED_CARD -> t.red++;
      default -> throw new IllegalArgumentException("unknown ticket event " + e.type());
    }
    return t;
  }

  /** The interval's row. */
  public CommunityTickets row(String district, String community, long intervalEnd) {
    return new CommunityTickets(
        district,
        community,
        intervalEnd,
        opened,
        resolved,
        open,
        resolved == 0 ? null : handlingMs / 1000.0 / resolved,
        yellow,
        red);
  }

  /** The next interval's starting tally: nothing counted yet, the same tickets open. */
  public TicketTally nextInterval() {
    TicketTally t = new TicketTally();
    t.open = open;
    return t;
  }

  private TicketTally copy() {
    TicketTally t = new TicketTally();
    t.opened = opened;
    t.resolved = resolved;
    t.handlingMs = handlingMs;
    t.yellow = yellow;
    t.red = red;
    t.open = open;
    return t;
  }
}
