package io.citybrain.jobs.emergency;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.common.DeadLetters;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps one {@link Incident} per incident key and applies {@link Incidents}' rules to its signals,
 * its acknowledgements and its timers. Timers are processing-time: escalation and cards measure how
 * long people take to answer, on the wall clock. State and timers are freed when a ticket is
 * resolved, and a cool-down after any other incident is resolved. Tickets' steps (opened, resolved,
 * cards) go to the side output {@link #TICKETS}; acknowledgements by a person whose scope does not
 * cover the incident go to {@link DeadLetters#TAG} and the {@code acksRefused} counter, and change
 * nothing.
 */
public final class IncidentLifecycle extends KeyedCoProcessFunction<String, Signal, Ack, Alert> {

  public static final OutputTag<TicketEvent> TICKETS = new OutputTag<>("tickets") {};

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IncidentLifecycle.class);

  private final EmergencySettings settings;
  private transient ValueState<Incident> state;
  private transient org.apache.flink.metrics.Counter acksRefused;

  public IncidentLifecycle(EmergencySettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext context) {
    state =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
    acksRefused = getRuntimeContext().getMetricGroup().counter("acksRefused");
  }

  @Override
  public void processElement1(Signal signal, Context ctx, Collector<Alert> out) throws Exception {
    Incident before = state.value();
    apply(
        before,
        Incidents.onSignal(before, signal, settings, ctx.timerService().currentProcessingTime()),
        ctx,
        out);
  }

  @Override
  public void processElement2(Ack ack, Context ctx, Collector<Alert> out) throws Exception {
    Incident before = state.value();
    String refusal = Incidents.refusal(before, ack);
    if (refusal != null) {
      // Issue 20: a person acknowledges only what their scope covers, whatever the broker let
      // through.
      acksRefused.inc();
      LOG.warn("acknowledgement of {} by {} refused: {}", ack.alertId(), ack.by(), refusal);
      ctx.output(
          DeadLetters.TAG,
          DeadLetter.of(
              Reason.ACK_REFUSED,
              refusal,
              Topics.ACKS,
              ack.alertId(),
              EnvelopeCodec.encode(ack),
              System.currentTimeMillis(),
              EmergencyJob.STAGE));
      return;
    }
    apply(
        before,
        Incidents.onAck(before, ack, settings, ctx.timerService().currentProcessingTime()),
        ctx,
        out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
    Incident before = state.value();
    apply(before, Incidents.onTimer(before, timestamp, settings), ctx, out);
  }

  private void apply(Incident before, Incidents.Result result, Context ctx, Collector<Alert> out)
      throws Exception {
    TimerService timers = ctx.timerService();
    long[] old = before == null ? new long[0] : before.timers();
    long[] next = result.next() == null ? new long[0] : result.next().timers();
    for (long t : old) {
      if (t != 0 && Arrays.stream(next).noneMatch(n -> n == t)) {
        timers.deleteProcessingTimeTimer(t);
      }
    }
    for (long t : next) {
      if (t != 0 && Arrays.stream(old).noneMatch(o -> o == t)) {
        timers.registerProcessingTimeTimer(t);
      }
    }
    if (result.next() == null) {
      state.clear();
    } else if (result.next() != before) {
      state.update(result.next());
    }
    result.alerts().forEach(out::collect);
    result.tickets().forEach(t -> ctx.output(TICKETS, t));
  }
}
