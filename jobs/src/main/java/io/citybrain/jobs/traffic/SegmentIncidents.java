package io.citybrain.jobs.traffic;

import io.citybrain.contract.Alert;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Applies {@link IncidentRule} per segment. A segment that sends no result for the trailing period
 * has its state freed (an open incident on it is resolved first) by an event-time timer.
 */
public final class SegmentIncidents extends KeyedProcessFunction<String, SegmentTraffic, Alert> {

  private final IncidentRule rule;
  private transient ValueState<SegmentHistory> history;
  private transient ValueState<SegmentTraffic> last;

  public SegmentIncidents(IncidentRule rule) {
    this.rule = rule;
  }

  @Override
  public void open(OpenContext context) {
    history =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("history", TypeInformation.of(SegmentHistory.class)));
    last =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("last", TypeInformation.of(SegmentTraffic.class)));
  }

  @Override
  public void processElement(SegmentTraffic t, Context ctx, Collector<Alert> out) throws Exception {
    SegmentHistory h = history.value() == null ? new SegmentHistory() : history.value();
    rule.apply(h, t).ifPresent(out::collect);
    long cleanup = t.windowEnd() + rule.trailingMs();
    if (cleanup > h.cleanupAt) {
      if (h.cleanupAt != 0) {
        ctx.timerService().deleteEventTimeTimer(h.cleanupAt);
      }
      ctx.timerService().registerEventTimeTimer(cleanup);
      h.cleanupAt = cleanup;
    }
    history.update(h);
    if (last.value() == null || t.windowEnd() >= last.value().windowEnd()) {
      last.update(t);
    }
  }

  @Override
  public void onTimer(long ts, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    SegmentHistory h = history.value();
    if (h != null && ts == h.cleanupAt) {
      rule.expire(h, last.value()).ifPresent(out::collect);
      history.clear();
      last.clear();
    }
  }
}
