package io.citybrain.jobs.emergency;

import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.Points;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Json;
import io.citybrain.contract.Measurements;
import io.citybrain.contract.Reason;
import io.citybrain.contract.Topics;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Layer;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.GeographyUpdates;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.LiveGeography;
import io.citybrain.jobs.common.PipelineTally;
import io.citybrain.jobs.common.Rejected;
import io.citybrain.jobs.common.StoreSinks;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emergency and community alerts: reads {@code city.raw.emergency} and {@code city.raw.community}
 * (smoke alarms, SOS presses, flood gauges, resident tickets) and {@code city.acks}, keeps one
 * incident per building, device or ticket ({@link IncidentLifecycle}), and writes every alert
 * transition to {@code city.alerts}, the areas' indicators to {@code emergency_area} and the
 * communities' ticket handling to {@code community_tickets}. Not windowed: an alert leaves as soon
 * as its record is read.
 */
public final class EmergencyJob {

  public static final String NAME = "citybrain-emergency";
  static final String STAGE = "emergency";

  private final Source<KafkaEvent, ?, ?> readings;
  private final Source<KafkaEvent, ?, ?> acks;
  private final Source<KafkaEvent, ?, ?> geography;
  private final Sink<Alert> alertSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Sink<EmergencyArea> areaSink;
  private final Sink<CommunityTickets> ticketSink;
  private final Locator locator;
  private final EmergencySettings settings;

  /**
   * The job's {@code pipeline} rows; null: not written (tests and benchmarks that do not look at
   * them).
   */
  private Sink<PipelineTally.Counts> pipelineSink;

  /** {@code geography}: replaced communities from {@code city.geography} (docs/geography.md). */
  public EmergencyJob(
      Source<KafkaEvent, ?, ?> readings,
      Source<KafkaEvent, ?, ?> acks,
      Source<KafkaEvent, ?, ?> geography,
      Sink<Alert> alertSink,
      Sink<DeadLetter> deadLetterSink,
      Sink<EmergencyArea> areaSink,
      Sink<CommunityTickets> ticketSink,
      Locator locator,
      EmergencySettings settings) {
    this.readings = readings;
    this.acks = acks;
    this.geography = geography;
    this.alertSink = alertSink;
    this.deadLetterSink = deadLetterSink;
    this.areaSink = areaSink;
    this.ticketSink = ticketSink;
    this.locator = locator;
    this.settings = settings;
  }

  /** With the job's {@code pipeline} rows written by {@code sink}. */
  public EmergencyJob withPipelineSink(Sink<PipelineTally.Counts> sink) {
    this.pipelineSink = sink;
    return this;
  }

  static EmergencyJob fromSettings(JobSettings s, Locator locator, EmergencySettings settings) {
    return new EmergencyJob(
            KafkaIo.source(s, NAME, Topics.RAW_EMERGENCY, Topics.RAW_COMMUNITY),
            KafkaIo.source(s, NAME + "-acks", Topics.ACKS),
            GeographyUpdates.source(s, NAME + "-geography"),
            KafkaIo.alertSink(s),
            KafkaIo.deadLetterSink(s),
            StoreSinks.of(s, EmergencyJob::toPoint),
            StoreSinks.of(s, EmergencyJob::toPoint),
            locator,
            settings)
        .withPipelineSink(StoreSinks.pipeline(s));
  }

  /**
   * Every field in one line (the embedded store replaces whole rows); no mean when nobody
   * acknowledged.
   */
  public static Point toPoint(EmergencyArea a) {
    return Points.of(
        Measurements.EMERGENCY_AREA
            .row(a.intervalEnd())
            .tag("district", a.district())
            .tag("community", a.community())
            .field("open_alerts", a.openAlerts())
            .field("new_alerts", a.newAlerts())
            .field("sos", a.sos())
            .field("fires", a.fires())
            .field("floods", a.floods())
            .field("mean_ack_s", a.meanAckS())
            .build());
  }

  /** Every field in one line; no mean handling time when no ticket was resolved in the interval. */
  public static Point toPoint(CommunityTickets t) {
    return Points.of(
        Measurements.COMMUNITY_TICKETS
            .row(t.intervalEnd())
            .tag("district", t.district())
            .tag("community", t.community())
            .field("tickets_opened", t.ticketsOpened())
            .field("tickets_resolved", t.ticketsResolved())
            .field("open_tickets", t.openTickets())
            .field("mean_handling_s", t.meanHandlingS())
            .field("yellow_cards", t.yellowCards())
            .field("red_cards", t.redCards())
            .build());
  }

  public void build(StreamExecutionEnvironment env) {
    PipelineTally pipeline = new PipelineTally(STAGE);
    SingleOutputStreamOperator<SourcedSignal> decoded =
        pipeline
            .count(
                env.fromSource(
                        readings, WatermarkStrategy.noWatermarks(), "raw emergency and community")
                    .uid("emergency-source"),
                PipelineTally.Edge.IN,
                "emergency-count-in")
            .connect(
                GeographyUpdates.stream(env, geography, "emergency")
                    .broadcast(GeographyUpdates.STATE))
            .process(new ToSignals(locator, settings.quietToResolve().toMillis()))
            .name("decode and place")
            .uid("emergency-signals");
    SingleOutputStreamOperator<Signal> signals =
        decoded
            .keyBy(sourced -> sourced.signal().deviceId())
            .process(new IncidentQuota(settings))
            .name("incidents per device capped")
            .uid("emergency-quota");
    SingleOutputStreamOperator<Ack> acknowledgements =
        pipeline
            .count(
                env.fromSource(acks, WatermarkStrategy.noWatermarks(), "acknowledgements")
                    .uid("emergency-acks-source"),
                PipelineTally.Edge.IN,
                "emergency-count-acks")
            .process(new ToAcks())
            .name("decode acks")
            .uid("emergency-acks");
    SingleOutputStreamOperator<Alert> alerts =
        signals
            .keyBy(Signal::key)
            .connect(acknowledgements.keyBy(EmergencyJob::incidentKey))
            .process(new IncidentLifecycle(settings))
            .name("incident lifecycle")
            .uid("emergency-incidents");
    pipeline.toAlerts(alerts, alertSink);
    pipeline.toStore(
        alerts
            .keyBy(AreaIndicators::areaKey)
            .process(new AreaIndicators(settings.areaInterval().toMillis()))
            .name("emergency_area per community")
            .uid("emergency-area"),
        Measurements.EMERGENCY_AREA,
        areaSink,
        "emergency-count-areas",
        "emergency-area-sink");
    pipeline.toStore(
        alerts
            .getSideOutput(IncidentLifecycle.TICKETS)
            .keyBy(TicketEvent::areaKey)
            .process(new TicketIndicators(settings.areaInterval().toMillis()))
            .name("community_tickets per community")
            .uid("emergency-tickets"),
        Measurements.COMMUNITY_TICKETS,
        ticketSink,
        "emergency-count-tickets",
        "emergency-tickets-sink");
    pipeline.toDeadLetters(
        decoded
            .getSideOutput(DeadLetters.TAG)
            .union(
                signals.getSideOutput(DeadLetters.TAG),
                acknowledgements.getSideOutput(DeadLetters.TAG),
                alerts.getSideOutput(DeadLetters.TAG)),
        deadLetterSink);
    pipeline.write(pipelineSink);
  }

  /** Acks of alerts that are not ours are keyed apart; the lifecycle ignores them. */
  static String incidentKey(Ack ack) {
    return Signals.keyOfAlert(ack.alertId()).orElse("unknown|" + ack.alertId());
  }

  public static void main(String[] args) throws Exception {
    JobSettings.refuseUnknown(
        args, EmergencySettings.KEYS, List.of(EmergencySettings.TICKET_DEADLINE_PREFIX));
    JobSettings s = JobSettings.fromArgs(args);
    EmergencySettings rules = EmergencySettings.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assemble(env, s, rules);
    env.execute(NAME);
  }

  /**
   * The job's one assembly (issue 19): its {@code main}, the job jar ({@code CityJobs}) and the
   * local city all call this, so the three deployments cannot run different jobs.
   */
  public static void assemble(
      StreamExecutionEnvironment env, JobSettings s, EmergencySettings rules) {
    JobEnvironment.configure(env, s);
    fromSettings(s, new GeoLocator(s.city()), rules).build(env);
  }

  /**
   * Decodes and places events in the communities in force (the seed's, or those an operator
   * published).
   */
  static final class ToSignals extends LiveGeography<KafkaEvent, SourcedSignal> {
    private final Locator locator;
    private final long maxSignalAgeMs;

    /**
     * {@code maxSignalAgeMs}: older emergency signals are dead letters ({@code stale-timestamp}).
     * The quiet period that resolves an incident: a signal older than it could neither open nor
     * extend an incident that is still open now. Judged on the wall clock, as the lifecycle's
     * processing-time timers are.
     */
    ToSignals(Locator locator, long maxSignalAgeMs) {
      super(locator.city(), STAGE, Layer.COMMUNITIES);
      this.locator = locator;
      this.maxSignalAgeMs = maxSignalAgeMs;
    }

    @Override
    protected void use(CityModel city) {
      locator.use(city);
    }

    @Override
    protected void process(KafkaEvent e, ReadOnlyContext ctx, Collector<SourcedSignal> out) {
      try {
        Envelope env = Envelopes.decode(e);
        Place place =
            locator
                .locate(env.lon(), env.lat())
                .orElseThrow(
                    () ->
                        new Rejected(
                            Reason.OUTSIDE_CITY,
                            env.deviceId()
                                + " at "
                                + env.lat()
                                + ","
                                + env.lon()
                                + " is in no district"));
        Signals.checkFresh(env, System.currentTimeMillis(), maxSignalAgeMs);
        // A field missing or of the wrong type is a dead letter, not a failure of the job.
        Signals.from(env, Envelopes.reading(env).orElse(null), place)
            .ifPresent(s -> out.collect(new SourcedSignal(s, e.coordinate(), e.key())));
      } catch (Rejected r) {
        ctx.output(DeadLetters.TAG, r.toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }

  static final class ToAcks extends ProcessFunction<KafkaEvent, Ack> {
    @Override
    public void processElement(KafkaEvent e, Context ctx, Collector<Ack> out) {
      try {
        out.collect(Json.MAPPER.readValue(e.value(), Ack.class));
      } catch (java.io.IOException | RuntimeException ex) {
        ctx.output(
            DeadLetters.TAG,
            new Rejected(Reason.BAD_ENVELOPE, "not an acknowledgement: " + ex.getMessage())
                .toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }
}
