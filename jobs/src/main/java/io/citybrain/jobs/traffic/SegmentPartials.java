package io.citybrain.jobs.traffic;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Adds up a task's readings per segment and one-minute window before they cross the network to the
 * segment's window (issue 22): a segment's readings of a minute become one record per task (in the
 * traffic benchmark's city, 300,000 readings become about 20,000 records), so the shuffle and the
 * window's state see that many fewer. Chained after map matching, in the task that holds the
 * vehicles' state.
 *
 * <p>Why the window's result is unchanged:
 *
 * <ul>
 *   <li>A window's sum leaves here before the watermark that closes it (in {@link
 *       #processWatermark}), so the segment's window has every task's sum before it fires, as it
 *       had every reading. A sum is therefore never late there: the watermark this task last sent
 *       is behind the window's end, and the window's watermark is the least of its inputs'.
 *   <li>A reading whose window has already closed here is sent alone, with the reading, at once:
 *       the segment's window decides, by its own watermark, whether to count it (allowed lateness)
 *       or refuse it as late with a dead letter naming its Kafka record, as before.
 *   <li>Nothing is kept across a checkpoint: every sum is sent before the barrier ({@link
 *       #prepareSnapshotPreBarrier}), so it is in the window's state when the checkpoint is, and
 *       the readings after the barrier are replayed from Kafka after a failure. The operator has no
 *       state, so savepoints of the builds without it restore.
 *   <li>An input that goes idle would stop counting in the window's watermark; the sums are sent
 *       before the idleness is.
 * </ul>
 *
 * <p>Sums are added in a different order than single readings were; doubles may differ in their
 * last bits, as they already did with the order in which readings arrived from several tasks.
 */
final class SegmentPartials extends AbstractStreamOperator<SegmentPartial>
    implements OneInputStreamOperator<TrafficObservation, SegmentPartial> {

  private final long windowMs;

  /** Open windows by their end, then the sums by segment id. */
  private transient TreeMap<Long, Map<String, SegmentPartial>> sums;

  private transient long watermark;

  /** The window of the last reading, and its sums: readings come in event-time order per task. */
  private transient long lastEnd;

  private transient Map<String, SegmentPartial> lastWindow;

  SegmentPartials(long windowMs) {
    this.windowMs = windowMs;
  }

  @Override
  public void open() throws Exception {
    super.open();
    sums = new TreeMap<>();
    watermark = Long.MIN_VALUE;
    lastEnd = Long.MIN_VALUE;
  }

  @Override
  public void processElement(StreamRecord<TrafficObservation> r) {
    TrafficObservation o = r.getValue();
    long ts = r.hasTimestamp() ? r.getTimestamp() : o.ts();
    long start = TimeWindow.getWindowStartWithOffset(ts, 0, windowMs);
    long end = start + windowMs;
    // A window already closed here, or one whose bounds do not fit in a long (a timestamp at either
    // end of time, which the decoder refuses, but not this operator's to judge): the reading goes
    // on
    // alone with its own timestamp, and the segment's window decides what to do with it as before.
    if (end - 1 <= watermark || start > ts || end <= ts) {
      SegmentPartial single = SegmentPartial.of(o);
      single.reading = o;
      output.collect(r.replace(single));
      return;
    }
    Map<String, SegmentPartial> window = end == lastEnd ? lastWindow : sums.get(end);
    if (window == null) {
      window = new HashMap<>();
      sums.put(end, window);
    }
    lastEnd = end;
    lastWindow = window;
    SegmentPartial sum = window.get(o.segment().segmentId());
    if (sum == null) {
      window.put(o.segment().segmentId(), SegmentPartial.of(o));
    } else {
      sum.acc.add(o);
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    watermark = Math.max(watermark, mark.getTimestamp());
    sendUpTo(mark.getTimestamp());
    super.processWatermark(mark);
  }

  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    if (status.isIdle()) {
      sendUpTo(Long.MAX_VALUE);
    }
    super.processWatermarkStatus(status);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    sendUpTo(Long.MAX_VALUE);
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    sendUpTo(Long.MAX_VALUE);
    super.finish();
  }

  /** Sends the sums of the windows whose last millisecond is at or before {@code time}. */
  private void sendUpTo(long time) {
    StreamRecord<SegmentPartial> record = new StreamRecord<>(null);
    while (!sums.isEmpty() && sums.firstKey() - 1 <= time) {
      Map.Entry<Long, Map<String, SegmentPartial>> window = sums.pollFirstEntry();
      if (window.getValue() == lastWindow) {
        lastWindow = null;
        lastEnd = Long.MIN_VALUE;
      }
      long last = window.getKey() - 1;
      for (SegmentPartial sum : window.getValue().values()) {
        output.collect(record.replace(sum, last));
      }
    }
  }
}
