package io.citybrain.jobs.common;

import com.influxdb.client.write.Point;
import io.citybrain.connectors.bridge.PipelineReporter;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Measurement;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A job's row of the contract's {@code pipeline} measurement (issue 21), under the job's stage name
 * ({@code traffic}, {@code emergency}, {@code utility}), beside the bridge's and alert dispatch's:
 * per interval, the events it took in from Kafka ({@code events_in}), the rows and alerts it handed
 * on ({@code events_out}), the records it dead-lettered ({@code deadletter}), and how far its event
 * time was behind the clock ({@code lag_ms}: the clock minus the watermark where events enter, at
 * the end of an interval in which events came; none for a job without watermarks).
 *
 * <p>Counting costs no network hop per event: each count is a pass-through chained to the operator
 * before it, and each parallel instance sends its totals once per interval to one summing operator,
 * which writes the row. The totals an instance had not sent yet are lost with it when it fails:
 * these are operating figures (the indicators and alerts are exactly-once; these are not), so
 * nothing of them is checkpointed but the sum of the current interval.
 */
public final class PipelineTally {

  /**
   * How often a job's row is written: the alert dispatcher's interval, so stages line up on a
   * chart.
   */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** Which count an edge adds to. */
  public enum Edge {
    IN,
    OUT,
    DEAD
  }

  /**
   * Totals for an interval; {@code lagMs} negative when unknown, {@code at} the end of the interval
   * (epoch ms).
   */
  public record Counts(String stage, long in, long out, long dead, long lagMs, long at)
      implements Serializable {
    Counts plus(Counts o) {
      return new Counts(
          stage,
          in + o.in,
          out + o.out,
          dead + o.dead,
          Math.max(lagMs, o.lagMs),
          Math.max(at, o.at));
    }
  }

  static final OutputTag<Counts> TAG =
      new OutputTag<>("pipeline-counts", TypeInformation.of(Counts.class)) {};

  private final String stage;
  private final long intervalMs;
  private final List<DataStream<Counts>> tallies = new ArrayList<>();

  public PipelineTally(String stage) {
    this(stage, INTERVAL);
  }

  PipelineTally(String stage, Duration interval) {
    this.stage = stage;
    this.intervalMs = interval.toMillis();
  }

  /**
   * {@code stream} unchanged, counted as {@code edge}; {@code uid} names the count for savepoints.
   */
  public <T> SingleOutputStreamOperator<T> count(DataStream<T> stream, Edge edge, String uid) {
    SingleOutputStreamOperator<T> counted =
        stream
            .transform(
                "count " + edge.name().toLowerCase(java.util.Locale.ROOT),
                stream.getType(),
                new Tally<T>(stage, edge, intervalMs))
            .uid(uid);
    tallies.add(counted.getSideOutput(TAG));
    return counted;
  }

  /**
   * {@code stream}'s rows of {@code measurement}, counted as output ({@code countUid}), to the
   * store by {@code sink} ({@code uid} names it in savepoints). Every output of a job leaves
   * through here or the two below, so none goes uncounted.
   */
  public <T> void toStore(
      DataStream<T> stream, Measurement measurement, Sink<T> sink, String countUid, String uid) {
    count(stream, Edge.OUT, countUid).sinkTo(sink).name(measurement.name() + " to store").uid(uid);
  }

  /** {@code alerts}, counted as output, to {@code city.alerts} by {@code sink}. */
  public void toAlerts(DataStream<Alert> alerts, Sink<Alert> sink) {
    count(alerts, Edge.OUT, stage + "-count-alerts")
        .sinkTo(sink)
        .name("alerts to city.alerts")
        .uid(stage + "-alert-sink");
  }

  /** {@code letters}, counted as dead, to {@code city.deadletter} by {@code sink}. */
  public void toDeadLetters(DataStream<DeadLetter> letters, Sink<DeadLetter> sink) {
    count(letters, Edge.DEAD, stage + "-count-dead")
        .sinkTo(sink)
        .name("dead letters")
        .uid(stage + "-deadletter-sink");
  }

  /**
   * Sums the counts into one row per interval, written by {@code sink}; with no sink (tests),
   * nothing is summed.
   */
  public void write(Sink<Counts> sink) {
    if (sink == null || tallies.isEmpty()) {
      return;
    }
    DataStream<Counts> all = tallies.get(0);
    for (DataStream<Counts> t : tallies.subList(1, tallies.size())) {
      all = all.union(t);
    }
    all.keyBy(Counts::stage)
        .process(new Sum(intervalMs))
        .name("pipeline row, " + (intervalMs / 1000) + " s")
        .uid(stage + "-pipeline-sum")
        .sinkTo(sink)
        .name("pipeline to store")
        .uid(stage + "-pipeline-sink");
  }

  /** The contract's {@code pipeline} point of a row, as the bridge and dispatch write theirs. */
  public static Point toPoint(Counts c) {
    return PipelineReporter.point(c.stage(), c.in(), c.out(), c.dead(), c.lagMs(), c.at());
  }

  /**
   * The pass-through: counts what goes by and sends its totals on once per interval, on the task's
   * own processing-time timer (so a quiet edge reports too, and nothing waits for the next event).
   */
  static final class Tally<T> extends AbstractStreamOperator<T>
      implements OneInputStreamOperator<T, T>, ProcessingTimeService.ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private final String stage;
    private final Edge edge;
    private final long intervalMs;
    private transient long count;
    private transient long watermark;

    Tally(String stage, Edge edge, long intervalMs) {
      this.stage = stage;
      this.edge = edge;
      this.intervalMs = intervalMs;
    }

    @Override
    public void open() throws Exception {
      super.open();
      watermark = Long.MIN_VALUE;
      ProcessingTimeService clock = getProcessingTimeService();
      clock.registerTimer(clock.getCurrentProcessingTime() + intervalMs, this);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
      output.collect(element);
      count++;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      watermark = mark.getTimestamp();
      super.processWatermark(mark);
    }

    @Override
    public void onProcessingTime(long time) {
      // The lag is read here, once an interval, not per event: the clock is no cheaper than the
      // count.
      long lagMs =
          edge == Edge.IN && count > 0 && watermark != Long.MIN_VALUE
              ? Math.max(0, time - watermark)
              : -1;
      if (count > 0) {
        output.collect(
            TAG,
            new StreamRecord<>(
                new Counts(
                    stage,
                    edge == Edge.IN ? count : 0,
                    edge == Edge.OUT ? count : 0,
                    edge == Edge.DEAD ? count : 0,
                    lagMs,
                    time)));
      }
      count = 0;
      getProcessingTimeService().registerTimer(time + intervalMs, this);
    }
  }

  /**
   * One row per stage and interval: the instances' totals added up, written when the interval ends.
   */
  static final class Sum extends KeyedProcessFunction<String, Counts, Counts> {
    private final long intervalMs;
    private transient ValueState<Counts> sum;

    Sum(long intervalMs) {
      this.intervalMs = intervalMs;
    }

    @Override
    public void open(OpenContext context) {
      sum =
          getRuntimeContext()
              .getState(
                  new ValueStateDescriptor<>("pipeline-sum", TypeInformation.of(Counts.class)));
    }

    @Override
    public void processElement(Counts c, Context ctx, Collector<Counts> out) throws Exception {
      Counts before = sum.value();
      if (before == null) {
        ctx.timerService()
            .registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + intervalMs);
        sum.update(c);
      } else {
        sum.update(before.plus(c));
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Counts> out)
        throws Exception {
      Counts total = sum.value();
      if (total != null) {
        out.collect(
            new Counts(
                total.stage(), total.in(), total.out(), total.dead(), total.lagMs(), timestamp));
      }
      sum.clear();
    }
  }
}
