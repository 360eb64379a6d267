package io.citybrain.jobs.utility;

import com.influxdb.client.write.Point;
import io.citybrain.connectors.influx.Points;
import io.citybrain.contract.Alert;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Measurement;
import io.citybrain.contract.Measurements;
import io.citybrain.contract.Topics;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Layer;
import io.citybrain.jobs.common.DeadLetters;
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
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Water, power and gas: reads {@code city.raw.utility}, places each meter in its zone ({@link
 * GeoZoneLocator}: the city model's zones), and per zone ({@link ZoneMonitor}) writes {@code
 * utility_zone} rows per one-minute event-time window, {@code utility_zone_hourly} rows per hour,
 * {@code utility_night_flow} rows per night, and {@code water_burst}, {@code power_outage}, {@code
 * gas_leak} and {@code gas_pressure} alerts to {@code city.alerts}. Unusable records, readings
 * outside every zone and data too late for its window go to the dead-letter topic.
 */
public final class UtilityJob {

  public static final String NAME = "citybrain-utility";
  public static final Duration WINDOW = Duration.ofMinutes(1);
  static final String STAGE = "utility";

  private final Source<KafkaEvent, ?, ?> source;
  private final Source<KafkaEvent, ?, ?> geography;
  private final Sink<UtilityZone> zoneSink;
  private final Sink<UtilityZone> hourlySink;
  private final Sink<NightFlow> nightFlowSink;
  private final Sink<Alert> alertSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final ZoneLocator zones;
  private final JobSettings settings;
  private final UtilitySettings rules;

  /**
   * The job's {@code pipeline} rows; null: not written (tests and benchmarks that do not look at
   * them).
   */
  private Sink<PipelineTally.Counts> pipelineSink;

  /** {@code geography}: replaced zones from {@code city.geography} (docs/geography.md). */
  public UtilityJob(
      Source<KafkaEvent, ?, ?> source,
      Source<KafkaEvent, ?, ?> geography,
      Sink<UtilityZone> zoneSink,
      Sink<UtilityZone> hourlySink,
      Sink<NightFlow> nightFlowSink,
      Sink<Alert> alertSink,
      Sink<DeadLetter> deadLetterSink,
      ZoneLocator zones,
      JobSettings settings,
      UtilitySettings rules) {
    this.source = source;
    this.geography = geography;
    this.zoneSink = zoneSink;
    this.hourlySink = hourlySink;
    this.nightFlowSink = nightFlowSink;
    this.alertSink = alertSink;
    this.deadLetterSink = deadLetterSink;
    this.zones = zones;
    this.settings = settings;
    this.rules = rules;
  }

  /** With the job's {@code pipeline} rows written by {@code sink}. */
  public UtilityJob withPipelineSink(Sink<PipelineTally.Counts> sink) {
    this.pipelineSink = sink;
    return this;
  }

  /**
   * The production wiring: Kafka in, the store, {@code city.alerts} and the dead-letter topic out.
   */
  static UtilityJob fromSettings(JobSettings s, ZoneLocator zones, UtilitySettings rules) {
    return new UtilityJob(
            KafkaIo.source(s, NAME, Topics.RAW_UTILITY),
            GeographyUpdates.source(s, NAME + "-geography"),
            StoreSinks.of(s, UtilityJob::toPoint),
            StoreSinks.of(s, UtilityJob::toHourlyPoint),
            StoreSinks.of(s, UtilityJob::toPoint),
            KafkaIo.alertSink(s),
            KafkaIo.deadLetterSink(s),
            zones,
            s,
            rules)
        .withPipelineSink(StoreSinks.pipeline(s));
  }

  /**
   * Every field in one line; a field that does not apply to the utility is left out (null in the
   * store).
   */
  public static Point toPoint(UtilityZone z) {
    return toPoint(Measurements.UTILITY_ZONE, z);
  }

  /**
   * The same row over an hour, in its own measurement (see {@link
   * Measurements#UTILITY_ZONE_HOURLY}).
   */
  public static Point toHourlyPoint(UtilityZone z) {
    return toPoint(Measurements.UTILITY_ZONE_HOURLY, z);
  }

  private static Point toPoint(Measurement measurement, UtilityZone z) {
    return Points.of(
        measurement
            .row(z.windowEnd())
            .tag("zone", z.zone())
            .tag("district", z.district())
            .tag("utility", z.utility())
            .field("consumption", z.consumption())
            .field("pressure_kpa_min", z.pressureKpaMin())
            .field("meters_reporting", z.metersReporting())
            .field("meters_dark", z.metersDark())
            .build());
  }

  public static Point toPoint(NightFlow n) {
    return Points.of(
        Measurements.UTILITY_NIGHT_FLOW
            .row(n.nightEnd())
            .tag("zone", n.zone())
            .tag("district", n.district())
            .field("min_flow_m3h", n.minFlowM3h())
            .field("minutes", n.minutes())
            .build());
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<KafkaEvent> watermarks = KafkaIo.eventTime(settings);

    wire(
        env.fromSource(source, watermarks, "raw utility").uid("utility-source"),
        GeographyUpdates.stream(env, geography, "utility"));
  }

  /**
   * Adds the job's operators after {@code raw}, which must carry event timestamps and watermarks
   * (the Kafka source above; a benchmark's in-memory source), and {@code geography}, the replaced
   * zones, which must not hold back event time ({@link GeographyUpdates#stream}).
   */
  public void wire(DataStream<KafkaEvent> raw, DataStream<KafkaEvent> geography) {
    PipelineTally pipeline = new PipelineTally(STAGE);
    SingleOutputStreamOperator<UtilityReading> readings =
        pipeline
            .count(raw, PipelineTally.Edge.IN, "utility-count-in")
            .connect(geography.broadcast(GeographyUpdates.STATE))
            .process(new LocateReadings(zones))
            .name("decode and place in zone")
            .uid("utility-locate");

    SingleOutputStreamOperator<UtilityZone> perZone =
        readings
            .keyBy(UtilityReading::zone)
            .process(
                new ZoneMonitor(
                    rules,
                    WINDOW.toMillis(),
                    settings.allowedLateness().toMillis(),
                    STAGE,
                    zones.city().manifest().zone()))
            .name("zone windows and rules, 1 min")
            .uid("utility-zone-monitor");

    pipeline.toStore(
        perZone, Measurements.UTILITY_ZONE, zoneSink, "utility-count-zones", "utility-zone-sink");
    pipeline.toStore(
        perZone.getSideOutput(ZoneMonitor.HOURLY),
        Measurements.UTILITY_ZONE_HOURLY,
        hourlySink,
        "utility-count-hourly",
        "utility-zone-hourly-sink");
    pipeline.toStore(
        perZone.getSideOutput(ZoneMonitor.NIGHT_FLOW),
        Measurements.UTILITY_NIGHT_FLOW,
        nightFlowSink,
        "utility-count-night-flow",
        "utility-night-flow-sink");
    pipeline.toAlerts(perZone.getSideOutput(ZoneMonitor.ALERTS), alertSink);
    pipeline.toDeadLetters(
        readings.getSideOutput(DeadLetters.TAG).union(perZone.getSideOutput(DeadLetters.TAG)),
        deadLetterSink);
    pipeline.write(pipelineSink);
  }

  public static void main(String[] args) throws Exception {
    JobSettings.refuseUnknown(args, UtilitySettings.KEYS, List.of());
    JobSettings s = JobSettings.fromArgs(args);
    UtilitySettings rules = UtilitySettings.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assemble(env, s, rules);
    env.execute(NAME);
  }

  /**
   * The job's one assembly (issue 19): its {@code main}, the job jar ({@code CityJobs}) and the
   * local city all call this, so the three deployments cannot run different jobs.
   */
  public static void assemble(
      StreamExecutionEnvironment env, JobSettings s, UtilitySettings rules) {
    JobEnvironment.configure(env, s);
    fromSettings(s, new GeoZoneLocator(s.city()), rules).build(env);
  }

  /**
   * Decodes and places readings in the zones in force (the seed's, or those an operator published).
   */
  static final class LocateReadings extends LiveGeography<KafkaEvent, UtilityReading> {
    private final ZoneLocator zones;

    LocateReadings(ZoneLocator zones) {
      super(zones.city(), STAGE, Layer.ZONES);
      this.zones = zones;
    }

    @Override
    protected void use(CityModel city) {
      zones.use(city);
    }

    @Override
    protected void process(KafkaEvent e, ReadOnlyContext ctx, Collector<UtilityReading> out) {
      try {
        out.collect(UtilityReadings.toReading(e, zones));
      } catch (Rejected r) {
        ctx.output(DeadLetters.TAG, r.toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }
}
