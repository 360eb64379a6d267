package io.citybrain.jobs.emergency;

import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.Rejected;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Caps the incidents one device can hold open (issue 23). Fires are keyed by the building a
 * detector sends and tickets by the ticket id a hotline sends, so without a cap one sender could
 * grow the job's state and the alerts without bound by inventing ids. Keyed by device id; SOS and
 * flood incidents are keyed by the device itself and pass untouched.
 *
 * <p>A subject counts from its first signal that would open an incident: a ticket until its {@code
 * resolved} step (tickets are kept until resolved, as the lifecycle keeps them), a building until
 * the quiet period and the cool-down after its last alarm have passed (the lifecycle's own life of
 * a fire). A new subject beyond the cap is a dead letter {@code too-many-incidents} with the
 * reading as sent; subjects already open go on as usual.
 *
 * <p>Expired buildings are swept only when a device is at its cap, and not before the earliest of
 * them is due, so a device at its ticket cap costs one state read per reading, not a scan.
 */
final class IncidentQuota extends KeyedProcessFunction<String, SourcedSignal, Signal> {

  private static final String STAGE = EmergencyJob.STAGE;
  private final int maxTickets;
  private final int maxBuildings;
  private final long fireLifeMs;

  /** Subject → when it stops counting (wall clock), {@code Long.MAX_VALUE} for a ticket. */
  private transient MapState<String, Long> open;

  private transient ValueState<Integer> count;

  /** No sweep can free anything before this. */
  private transient ValueState<Long> sweepAt;

  IncidentQuota(EmergencySettings settings) {
    this.maxTickets = settings.maxOpenTicketsPerDevice();
    this.maxBuildings = settings.maxBuildingsPerDetector();
    this.fireLifeMs = settings.quietToResolve().toMillis() + settings.cooldown().toMillis();
  }

  @Override
  public void open(OpenContext context) {
    open =
        getRuntimeContext()
            .getMapState(new MapStateDescriptor<>("open-subjects", Types.STRING, Types.LONG));
    count = getRuntimeContext().getState(new ValueStateDescriptor<>("open-count", Types.INT));
    sweepAt = getRuntimeContext().getState(new ValueStateDescriptor<>("sweep-at", Types.LONG));
  }

  @Override
  public void processElement(SourcedSignal in, Context ctx, Collector<Signal> out)
      throws Exception {
    Signal s = in.signal();
    long now = ctx.timerService().currentProcessingTime();
    int cap;
    long until;
    if (Signals.TICKET.equals(s.family())) {
      if ("resolved".equals(s.status())) {
        if (open.contains(s.subject())) {
          open.remove(s.subject());
          count.update(size() - 1);
        }
        out.collect(s);
        return;
      }
      cap = maxTickets;
      until = Long.MAX_VALUE;
    } else if (Signals.FIRE.equals(s.family()) && s.on()) {
      cap = maxBuildings;
      until = now + fireLifeMs;
    } else {
      out.collect(s);
      return;
    }
    Long known = open.get(s.subject());
    if (known != null) {
      if (until != known) {
        open.put(s.subject(), until);
      }
      out.collect(s);
      return;
    }
    if (size() >= cap) {
      sweep(now);
    }
    if (size() >= cap) {
      ctx.output(
          DeadLetters.TAG,
          new Rejected(
                  Reason.TOO_MANY_INCIDENTS,
                  s.deviceId()
                      + " already has "
                      + size()
                      + " open "
                      + (Signals.TICKET.equals(s.family())
                          ? "tickets (emergency.max-open-tickets-per-device " + cap + ")"
                          : "fire buildings (emergency.max-buildings-per-detector " + cap + ")")
                      + "; "
                      + s.subject()
                      + " is refused")
              .toDeadLetter(in.source(), in.key(), System.currentTimeMillis(), STAGE));
      return;
    }
    open.put(s.subject(), until);
    count.update(size() + 1);
    if (until != Long.MAX_VALUE && (sweepAt.value() == null || until < sweepAt.value())) {
      sweepAt.update(until);
    }
    out.collect(s);
  }

  private int size() throws Exception {
    Integer n = count.value();
    return n == null ? 0 : n;
  }

  private void sweep(long now) throws Exception {
    Long due = sweepAt.value();
    if (due == null || now < due) {
      return;
    }
    int n = 0;
    long next = Long.MAX_VALUE;
    for (Iterator<Map.Entry<String, Long>> it = open.iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (e.getValue() <= now) {
        it.remove();
      } else {
        n++;
        next = Math.min(next, e.getValue());
      }
    }
    if (n == 0) {
      count.clear();
    } else {
      count.update(n);
    }
    if (next == Long.MAX_VALUE) {
      sweepAt.clear();
    } else {
      sweepAt.update(next);
    }
  }
}
