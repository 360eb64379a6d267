package io.citybrain.jobs.emergency;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns ticket steps into {@code community_tickets} rows, keyed by area ({@code
 * district|community}). Processing-time intervals, like {@code emergency_area} and the cards it
 * counts: at the end of every interval in which an area had open tickets or activity it emits a
 * row; after a row with no ticket open its state and timer are freed.
 */
public final class TicketIndicators
    extends KeyedProcessFunction<String, TicketEvent, CommunityTickets> {

  private final long intervalMs;
  private transient ValueState<TicketTally> tally;
  private transient ValueState<Long> timer;

  public TicketIndicators(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  @Override
  public void open(OpenContext context) {
    tally =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("tally", TypeInformation.of(TicketTally.class)));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
  }

  @Override
  public void processElement(TicketEvent e, Context ctx, Collector<CommunityTickets> out)
      throws Exception {
    TicketTally t = tally.value() == null ? new TicketTally() : tally.value();
    tally.update(t.plus(e));
    AreaIntervals.startIfIdle(timer, ctx.timerService(), intervalMs);
  }

  @Override
  public void onTimer(long ts, OnTimerContext ctx, Collector<CommunityTickets> out)
      throws Exception {
    TicketTally t = tally.value() == null ? new TicketTally() : tally.value();
    String key = ctx.getCurrentKey();
    out.collect(t.row(AreaIntervals.district(key), AreaIntervals.community(key), ts));
    if (t.open <= 0) {
      tally.clear();
      timer.clear();
    } else {
      tally.update(t.nextInterval());
      AreaIntervals.next(timer, ctx.timerService(), ts, intervalMs);
    }
  }
}
