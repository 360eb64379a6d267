package io.citybrain.jobs.traffic;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Reading;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Traffic incidents on a segment, as a pure function over its one-minute results.
 *
 * <p>An incident starts when the segment's speed falls below {@code dropRatio} (40%) of the median
 * of its own trailing 15 minutes, with at least {@code minVehicles} vehicles behind the window's
 * figure (a loop report counts its vehicles, a probe fix one: one report a minute from a detector
 * is plenty, one taxi is not) and at least {@code minHistory} windows of history. The median is
 * frozen at the start (otherwise it sinks with the jam and "recovers" on its own), and the incident
 * ends when speed is back above {@code recoverRatio} (60%) of it: the gap between the two ratios
 * keeps a speed hovering near the threshold from raising and resolving over and over, and 60%
 * rather than "back to normal" lets an incident during a building rush hour end when the blockage
 * clears, not when the peak is over. While it lasts, the alert is updated every {@code
 * updateEveryWindows} windows, never re-raised.
 */
public record IncidentRule(
    long trailingMs,
    int minHistory,
    double minVehicles,
    double dropRatio,
    double recoverRatio,
    int updateEveryWindows)
    implements Serializable {

  public static IncidentRule defaults() {
    return new IncidentRule(15 * 60_000L, 5, 5, 0.4, 0.6, 5);
  }

  /** Applies one window's result; returns the alert to send, if any. Mutates {@code h}. */
  public Optional<Alert> apply(SegmentHistory h, SegmentTraffic t) {
    int n = h.windowEnds.length;
    if (n > 0 && t.windowEnd() < h.windowEnds[n - 1]) {
      return Optional.empty(); // an update of an older window: history only looks forward
    }
    if (n > 0 && t.windowEnd() == h.windowEnds[n - 1]) {
      h.speeds[n - 1] = t.speedKmh(); // a late update of the latest window replaces it
      return Optional.empty();
    }
    double median = median(h, t.windowEnd());
    int historyWindows = countSince(h, t.windowEnd() - trailingMs, t.windowEnd());
    append(h, t.windowEnd(), t.speedKmh());
    boolean enough = t.vehicles() >= minVehicles;
    if (h.alertId == null) {
      if (enough && historyWindows >= minHistory && t.speedKmh() < dropRatio * median) {
        h.alertId = "traffic_incident-" + t.windowEnd() + "-" + t.segment();
        h.baselineKmh = median;
        h.startWindowEnd = t.windowEnd();
        h.lowestKmh = t.speedKmh();
        h.windowsSinceUpdate = 0;
        return Optional.of(alert(h, t, Alert.STATE_RAISED));
      }
      return Optional.empty();
    }
    h.lowestKmh = Math.min(h.lowestKmh, t.speedKmh());
    if (enough && t.speedKmh() >= recoverRatio * h.baselineKmh) {
      Alert resolved = alert(h, t, Alert.STATE_RESOLVED);
      h.alertId = null;
      return Optional.of(resolved);
    }
    if (++h.windowsSinceUpdate >= updateEveryWindows) {
      h.windowsSinceUpdate = 0;
      return Optional.of(alert(h, t, Alert.STATE_RAISED));
    }
    return Optional.empty();
  }

  /** Resolves the open incident of a segment that stopped reporting. */
  public Optional<Alert> expire(SegmentHistory h, SegmentTraffic last) {
    if (h.alertId == null) {
      return Optional.empty();
    }
    return Optional.of(alert(h, last, Alert.STATE_RESOLVED));
  }

  /** Median speed of the windows in the trailing period before {@code now}; NaN when none. */
  double median(SegmentHistory h, long now) {
    double[] v =
        java.util.stream.IntStream.range(0, h.windowEnds.length)
            .filter(i -> h.windowEnds[i] < now && h.windowEnds[i] >= now - trailingMs)
            .mapToDouble(i -> h.speeds[i])
            .sorted()
            .toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static int countSince(SegmentHistory h, long from, long before) {
    int c = 0;
    for (long w : h.windowEnds) {
      if (w >= from && w < before) {
        c++;
      }
    }
    return c;
  }

  private void append(SegmentHistory h, long windowEnd, double speed) {
    int keepFrom = 0;
    while (keepFrom < h.windowEnds.length && h.windowEnds[keepFrom] < windowEnd - trailingMs) {
      keepFrom++;
    }
    int n = h.windowEnds.length - keepFrom;
    long[] w = Arrays.copyOfRange(h.windowEnds, keepFrom, keepFrom + n + 1);
    double[] s = Arrays.copyOfRange(h.speeds, keepFrom, keepFrom + n + 1);
    w[n] = windowEnd;
    s[n] = speed;
    h.windowEnds = w;
    h.speeds = s;
  }

  private static Alert alert(SegmentHistory h, SegmentTraffic t, String state) {
    String message =
        String.format(
            Locale.ROOT,
            "交通事件：路段 %s 车速 %.0f km/h（平常 %.0f km/h）/ Traffic incident on segment %s: %.0f km/h against a usual %.0f km/h",
            t.segment(),
            t.speedKmh(),
            h.baselineKmh,
            t.segment(),
            t.speedKmh(),
            h.baselineKmh);
    if (Alert.STATE_RESOLVED.equals(state)) {
      message =
          String.format(
              Locale.ROOT,
              "交通恢复：路段 %s / Traffic recovered on segment %s (%.0f km/h)",
              t.segment(),
              t.segment(),
              t.speedKmh());
    }
    return new Alert(
        h.alertId,
        "traffic_incident",
        Alert.SEVERITY_WARNING,
        state,
        t.district(),
        null,
        t.midLat(),
        t.midLon(),
        t.windowEnd(),
        message,
        new Evidence[] {
          new Evidence(t.segment(), Reading.SPEED_KMH, t.speedKmh(), t.windowEnd()),
          new Evidence(t.segment(), "baselineKmh", h.baselineKmh, h.startWindowEnd),
          new Evidence(t.segment(), "lowestKmh", h.lowestKmh, t.windowEnd())
        },
        Alert.SCOPE_DISTRICT,
        null);
  }
}
