package io.citybrain.jobs.emergency;

import java.io.IOException;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;

/**
 * What the per-area indicator operators ({@link AreaIndicators}, {@link TicketIndicators}) share:
 * the area key {@code district|community} (no community: empty) and processing-time intervals that
 * end at multiples of the interval, with at most one timer per area, remembered in a state entry so
 * that it can be freed with the area.
 */
final class AreaIntervals {

  private AreaIntervals() {}

  static String key(String district, String community) {
    return district + "|" + (community == null ? "" : community);
  }

  static String district(String key) {
    return key.substring(0, key.indexOf('|'));
  }

  /** null for an area outside every community. */
  static String community(String key) {
    String community = key.substring(key.indexOf('|') + 1);
    return community.isEmpty() ? null : community;
  }

  /** Activity in an idle area: its first interval ends at the next multiple of the interval. */
  static void startIfIdle(ValueState<Long> timer, TimerService timers, long intervalMs)
      throws IOException {
    if (timer.value() == null) {
      long now = timers.currentProcessingTime();
      schedule(timer, timers, now - now % intervalMs + intervalMs);
    }
  }

  /** The interval that ended at {@code ts} left work open: the next one ends an interval later. */
  static void next(ValueState<Long> timer, TimerService timers, long ts, long intervalMs)
      throws IOException {
    schedule(timer, timers, ts + intervalMs);
  }

  private static void schedule(ValueState<Long> timer, TimerService timers, long end)
      throws IOException {
    timers.registerProcessingTimeTimer(end);
    timer.update(end);
  }
}
