package io.citybrain.jobs.traffic;

import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.Points;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Measurements;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Layer;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.EventTimeOrder;
import io.citybrain.jobs.common.GeographyUpdates;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.LiveGeography;
import io.citybrain.jobs.common.PipelineTally;
import io.citybrain.jobs.common.Rejected;
import io.citybrain.jobs.common.StoreSinks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Traffic indicators: reads {@code city.raw.traffic} (loop detectors and probe vehicles), puts each
 * device's readings in event-time order and drops repeated deliveries ({@link EventTimeOrder}),
 * refuses impossible probe jumps, matches each reading to its road segment, and writes per
 * one-minute event-time window {@code traffic_segment} and {@code traffic_district} ({@link
 * TrafficIndicators}); segments whose speed collapses raise one {@code traffic_incident} alert each
 * ({@link IncidentRule}). Unusable records, readings on no road and data too late for their window
 * go to the dead-letter topic.
 */
public final class TrafficJob {

  public static final String NAME = "citybrain-traffic";
  public static final Duration WINDOW = Duration.ofMinutes(1);
  static final String STAGE = "traffic";

  /**
   * How long after a vehicle's last accepted fix the jump filter still compares with it; its track
   * lets the fix go after this, in event time.
   */
  static final Duration JUMP_MEMORY = Duration.ofMinutes(10);

  private static final OutputTag<SegmentPartial> LATE = new OutputTag<>("late") {};
  private static final OutputTag<SegmentTraffic> LATE_SEGMENTS =
      new OutputTag<>("late-segments") {};

  private final Source<KafkaEvent, ?, ?> source;
  private final Sink<SegmentTraffic> segmentSink;
  private final Sink<DistrictTraffic> districtSink;
  private final Sink<Alert> alertSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final SegmentMatcher matcher;
  private final JobSettings settings;

  /**
   * {@code city.geography}: a replaced roads layer; null for a job whose roads never change (tests,
   * benchmarks).
   */
  private final Source<KafkaEvent, ?, ?> geography;

  /**
   * The job's {@code pipeline} rows; null: not written (tests and benchmarks that do not look at
   * them).
   */
  private Sink<PipelineTally.Counts> pipelineSink;

  public TrafficJob(
      Source<KafkaEvent, ?, ?> source,
      Sink<SegmentTraffic> segmentSink,
      Sink<DistrictTraffic> districtSink,
      Sink<Alert> alertSink,
      Sink<DeadLetter> deadLetterSink,
      SegmentMatcher matcher,
      JobSettings settings) {
    this(source, null, segmentSink, districtSink, alertSink, deadLetterSink, matcher, settings);
  }

  /** With the roads an operator may replace while the job runs, from {@code geography}. */
  public TrafficJob(
      Source<KafkaEvent, ?, ?> source,
      Source<KafkaEvent, ?, ?> geography,
      Sink<SegmentTraffic> segmentSink,
      Sink<DistrictTraffic> districtSink,
      Sink<Alert> alertSink,
      Sink<DeadLetter> deadLetterSink,
      SegmentMatcher matcher,
      JobSettings settings) {
    this.geography = geography;
    this.source = source;
    this.segmentSink = segmentSink;
    this.districtSink = districtSink;
    this.alertSink = alertSink;
    this.deadLetterSink = deadLetterSink;
    this.matcher = matcher;
    this.settings = settings;
  }

  /** With the job's {@code pipeline} rows written by {@code sink}. */
  public TrafficJob withPipelineSink(Sink<PipelineTally.Counts> sink) {
    this.pipelineSink = sink;
    return this;
  }

  /** The production wiring: Kafka in; the store, the alerts and the dead-letter topic out. */
  static TrafficJob fromSettings(JobSettings s, SegmentMatcher matcher) {
    return new TrafficJob(
            KafkaIo.source(s, NAME, Topics.RAW_TRAFFIC),
            GeographyUpdates.source(s, NAME + "-geography"),
            StoreSinks.of(s, TrafficJob::toPoint),
            StoreSinks.of(s, TrafficJob::toPoint),
            KafkaIo.alertSink(s),
            KafkaIo.deadLetterSink(s),
            matcher,
            s)
        .withPipelineSink(StoreSinks.pipeline(s));
  }

  public static Point toPoint(SegmentTraffic t) {
    // Flow and occupancy come together, from a loop detector, or not at all.
    return Points.of(
        Measurements.TRAFFIC_SEGMENT
            .row(t.windowEnd())
            .tag("segment", t.segment())
            .tag("district", t.district())
            .tag("road_class", t.roadClass())
            .field("speed_kmh", t.speedKmh())
            .field("flow_vph", t.flowVph())
            .field("occupancy", t.flowVph() == null ? null : t.occupancy())
            .field("tti", t.tti())
            .field("samples", t.samples())
            .build());
  }

  public static Point toPoint(DistrictTraffic t) {
    return Points.of(
        Measurements.TRAFFIC_DISTRICT
            .row(t.windowEnd())
            .tag("district", t.district())
            .field("tti", t.tti())
            .field("level", t.level())
            .field("mean_speed_kmh", t.meanSpeedKmh())
            .field("congested_km", t.congestedKm())
            .field("samples", t.samples())
            .build());
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<KafkaEvent> watermarks = KafkaIo.eventTime(settings);

    PipelineTally pipeline = new PipelineTally(STAGE);
    SingleOutputStreamOperator<ProbeFix> fixes =
        pipeline
            .count(
                env.fromSource(source, watermarks, "raw traffic").uid("traffic-source"),
                PipelineTally.Edge.IN,
                "traffic-count-in")
            .process(new Decode())
            .name("decode")
            .uid("traffic-decode");
    // In event-time order and once each, before anything that keeps per-vehicle state or counts;
    // impossible jumps are refused as the fixes leave, in that order.
    SingleOutputStreamOperator<ProbeFix> ordered =
        fixes
            .keyBy(ProbeFix::deviceId)
            .process(
                new EventTimeOrder<>(
                    TypeInformation.of(ProbeFix.class),
                    ProbeFix::ts,
                    WINDOW.plus(settings.allowedLateness()),
                    new JumpFilter(200, JUMP_MEMORY)))
            .name("event-time order, repeats dropped, impossible jumps refused")
            .uid("traffic-order");
    // The jump filter's operator until issue 22, kept by its uid so that savepoints of those builds
    // restore without --allowNonRestoredState: not keyed, it takes none of the keyed state they
    // hold
    // for it (each vehicle's last fix; its track starts without one). Chained, it costs a call.
    SingleOutputStreamOperator<ProbeFix> plausible =
        ordered.map(new Forward()).name("(formerly the jump filter)").uid("traffic-jumps");
    // With a geography stream the matcher is swapped when the roads layer is replaced; the uid
    // stays, so savepoints of the builds before live roads (a stateless matcher) restore into it.
    SingleOutputStreamOperator<TrafficObservation> observations =
        geography == null
            ? plausible.process(new Match(matcher)).name("map matching").uid("traffic-match")
            : plausible
                .connect(
                    GeographyUpdates.stream(env, geography, "traffic")
                        .broadcast(GeographyUpdates.STATE))
                .process(new LiveMatch(matcher))
                .name("map matching")
                .uid("traffic-match");

    SingleOutputStreamOperator<SegmentTraffic> segments =
        observations
            .transform(
                "segment sums before the shuffle",
                TypeInformation.of(SegmentPartial.class),
                new SegmentPartials(WINDOW.toMillis()))
            .uid("traffic-segment-sums")
            .keyBy(p -> p.segment.segmentId())
            .window(TumblingEventTimeWindows.of(WINDOW))
            .allowedLateness(settings.allowedLateness())
            .sideOutputLateData(LATE)
            .aggregate(new Accumulate(), new EmitSegment())
            .name("segment indicators, 1 min")
            .uid("traffic-segment-window");
    pipeline.toStore(
        segments,
        Measurements.TRAFFIC_SEGMENT,
        segmentSink,
        "traffic-count-segments",
        "traffic-segment-sink");

    SingleOutputStreamOperator<DistrictTraffic> districts =
        segments
            .keyBy(SegmentTraffic::district)
            .window(TumblingEventTimeWindows.of(WINDOW))
            .allowedLateness(settings.allowedLateness())
            .sideOutputLateData(LATE_SEGMENTS)
            .process(new EmitDistrict())
            .name("district indicators, 1 min")
            .uid("traffic-district-window");
    pipeline.toStore(
        districts,
        Measurements.TRAFFIC_DISTRICT,
        districtSink,
        "traffic-count-districts",
        "traffic-district-sink");

    pipeline.toAlerts(
        segments
            .keyBy(SegmentTraffic::segment)
            .process(new SegmentIncidents(IncidentRule.defaults()))
            .name("segment incidents")
            .uid("traffic-incidents"),
        alertSink);

    DataStream<DeadLetter> late =
        segments
            .getSideOutput(LATE)
            .map(TrafficJob::lateDeadLetter)
            .name("late readings")
            .uid("traffic-late");
    pipeline.toDeadLetters(
        fixes
            .getSideOutput(DeadLetters.TAG)
            .union(
                ordered.getSideOutput(DeadLetters.TAG),
                observations.getSideOutput(DeadLetters.TAG),
                late),
        deadLetterSink);
    pipeline.write(pipelineSink);
  }

  /**
   * The job's one assembly (issue 19): its {@code main}, the job jar ({@code CityJobs}) and the
   * local city all call this, so the three deployments cannot run different jobs.
   *
   * @param loopSegments the loop detectors' segments (device id to segment id) from the device
   *     registry; empty: loop detectors are matched by position like probes
   */
  public static void assemble(
      StreamExecutionEnvironment env, JobSettings s, Map<String, String> loopSegments) {
    JobEnvironment.configure(env, s);
    fromSettings(s, new GeoSegmentMatcher(s.city(), loopSegments)).build(env);
  }

  public static void main(String[] args) throws Exception {
    JobSettings.refuseUnknown(args, List.of(GeoSegmentMatcher.REGISTRY_KEY), List.of());
    JobSettings s = JobSettings.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assemble(env, s, GeoSegmentMatcher.loopSegments(args));
    env.execute(NAME);
  }

  static final class Decode extends ProcessFunction<KafkaEvent, ProbeFix> {
    @Override
    public void processElement(KafkaEvent e, Context ctx, Collector<ProbeFix> out) {
      try {
        out.collect(TrafficReadings.decode(e));
      } catch (Rejected r) {
        ctx.output(DeadLetters.TAG, r.toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }

  /** Map matching; the road index is built once per task. */
  static final class Match extends ProcessFunction<ProbeFix, TrafficObservation> {
    private final SegmentMatcher matcher;

    Match(SegmentMatcher matcher) {
      this.matcher = matcher;
    }

    @Override
    public void open(OpenContext context) {
      matcher.open();
    }

    @Override
    public void processElement(ProbeFix f, Context ctx, Collector<TrafficObservation> out) {
      try {
        out.collect(TrafficReadings.observe(f, matcher));
      } catch (Rejected r) {
        ctx.output(
            DeadLetters.TAG,
            r.toDeadLetter(f.origin(), f.deviceId(), System.currentTimeMillis(), STAGE));
      }
    }
  }

  /**
   * Map matching against the roads in force: the package's until an operator publishes a roads
   * layer, then that layer's (swapped between two readings; {@link LiveGeography}). Windows already
   * open keep the segment they were keyed by and close normally; a removed segment simply gets no
   * new readings.
   */
  static final class LiveMatch extends LiveGeography<ProbeFix, TrafficObservation> {
    private final SegmentMatcher matcher;

    LiveMatch(SegmentMatcher matcher) {
      super(matcher.city(), STAGE, Layer.ROADS);
      this.matcher = matcher;
    }

    @Override
    protected void use(CityModel city) {
      matcher.use(city);
    }

    @Override
    protected void process(ProbeFix f, ReadOnlyContext ctx, Collector<TrafficObservation> out) {
      try {
        out.collect(TrafficReadings.observe(f, matcher));
      } catch (Rejected r) {
        ctx.output(
            DeadLetters.TAG,
            r.toDeadLetter(f.origin(), f.deviceId(), System.currentTimeMillis(), STAGE));
      }
    }
  }

  /**
   * The dead letter of a reading that came after its window closed: what the job knows of it, and
   * where its record is (the job does not carry a reading's bytes through its keyed state, issue
   * 19). Only single readings can be late ({@link SegmentPartials}); a late sum, should one ever
   * come, is still accounted for, by segment and window.
   */
  static DeadLetter lateDeadLetter(SegmentPartial p) {
    TrafficObservation o = p.reading;
    if (o == null) {
      return new DeadLetter(
          Reason.LATE.code(),
          p.acc.samples
              + " readings of segment "
              + p.segment.segmentId()
              + " arrived after their window closed",
          Topics.RAW_TRAFFIC,
          p.segment.segmentId(),
          "",
          System.currentTimeMillis(),
          STAGE);
    }
    return DeadLetter.located(
        Reason.LATE,
        String.format(
            java.util.Locale.ROOT,
            "reading of %s for %d (segment %s, %.1f km/h) arrived after its window closed; the"
                + " record is %s",
            o.deviceId(),
            o.ts(),
            o.segment().segmentId(),
            o.speedKmh(),
            o.origin()),
        o.origin().topic(),
        o.deviceId(),
        o.origin().partition(),
        o.origin().offset(),
        System.currentTimeMillis(),
        STAGE);
  }

  /** Keeps the segment's attributes beside the accumulator: the window function needs them. */
  static final class Accumulate
      implements AggregateFunction<SegmentPartial, SegmentWindowAcc, SegmentWindowAcc> {
    @Override
    public SegmentWindowAcc createAccumulator() {
      return new SegmentWindowAcc();
    }

    @Override
    public SegmentWindowAcc add(SegmentPartial p, SegmentWindowAcc acc) {
      acc.segment = p.segment;
      acc.acc.addAll(p.acc);
      return acc;
    }

    @Override
    public SegmentWindowAcc getResult(SegmentWindowAcc acc) {
      return acc;
    }

    @Override
    public SegmentWindowAcc merge(SegmentWindowAcc a, SegmentWindowAcc b) {
      SegmentWindowAcc m = new SegmentWindowAcc();
      m.segment = a.segment != null ? a.segment : b.segment;
      m.acc = a.acc.merge(b.acc);
      return m;
    }
  }

  static final class EmitSegment
      extends ProcessWindowFunction<SegmentWindowAcc, SegmentTraffic, String, TimeWindow> {
    @Override
    public void process(
        String segment,
        Context ctx,
        Iterable<SegmentWindowAcc> accs,
        Collector<SegmentTraffic> out) {
      SegmentWindowAcc a = accs.iterator().next();
      out.collect(TrafficIndicators.segment(a.segment, ctx.window().getEnd(), a.acc));
    }
  }

  /**
   * A late reading re-emits its segment's window, so the district window can hold two results of
   * one segment: the later one (arrival order) replaces the earlier.
   */
  static final class EmitDistrict
      extends ProcessWindowFunction<SegmentTraffic, DistrictTraffic, String, TimeWindow> {
    @Override
    public void process(
        String district,
        Context ctx,
        Iterable<SegmentTraffic> results,
        Collector<DistrictTraffic> out) {
      Map<String, SegmentTraffic> latest = new LinkedHashMap<>();
      for (SegmentTraffic s : results) {
        latest.put(s.segment(), s);
      }
      out.collect(TrafficIndicators.district(district, ctx.window().getEnd(), latest.values()));
    }
  }

  /** Hands each fix on as it is: the placeholder of a retired operator's uid. */
  static final class Forward
      implements org.apache.flink.api.common.functions.MapFunction<ProbeFix, ProbeFix> {
    private static final long serialVersionUID = 1L;

    @Override
    public ProbeFix map(ProbeFix fix) {
      return fix;
    }
  }
}
