package io.citybrain.jobs.traffic;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.citybrain.connectors.Topics;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.influx.InfluxSink;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.Rejected;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
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
 * Traffic indicators per district: reads {@code city.raw.traffic}, places each reading in its
 * district, and writes {@code traffic_district} (mean speed, samples) per one-minute event-time
 * window. Unusable records, readings outside the city and data too late for its window go to the
 * dead-letter topic.
 */
public final class TrafficJob {

  public static final String NAME = "citybrain-traffic";
  public static final Duration WINDOW = Duration.ofMinutes(1);
  static final String STAGE = "traffic";
  private static final OutputTag<SpeedReading> LATE = new OutputTag<>("late") {};

  private final Source<KafkaEvent, ?, ?> source;
  private final Sink<DistrictTraffic> districtSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final JobSettings settings;

  public TrafficJob(Source<KafkaEvent, ?, ?> source, Sink<DistrictTraffic> districtSink,
      Sink<DeadLetter> deadLetterSink, JobSettings settings) {
    this.source = source;
    this.districtSink = districtSink;
    this.deadLetterSink = deadLetterSink;
    this.settings = settings;
  }

  /** The production wiring: Kafka in, the store and the dead-letter topic out. */
  public static TrafficJob fromSettings(JobSettings s) {
    return new TrafficJob(
        KafkaIo.source(s.kafkaBootstrap(), NAME, Topics.RAW_TRAFFIC),
        InfluxSink.<DistrictTraffic>builder().settings(s.influx()).converter(TrafficJob::toPoint).build(),
        KafkaIo.deadLetterSink(s.kafkaBootstrap()),
        s);
  }

  public static Point toPoint(DistrictTraffic t) {
    return Point.measurement("traffic_district")
        .addTag("district", t.district())
        .addField("mean_speed_kmh", t.meanSpeedKmh())
        .addField("samples", t.samples())
        .time(t.windowEnd(), WritePrecision.MS);
  }

  /** Adds the job's operators to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<KafkaEvent> watermarks = WatermarkStrategy
        .<KafkaEvent>forBoundedOutOfOrderness(settings.outOfOrderness())
        .withTimestampAssigner((e, kafkaTs) -> e.timestamp())
        .withIdleness(settings.idleness());

    SingleOutputStreamOperator<SpeedReading> readings = env
        .fromSource(source, watermarks, "raw traffic").uid("traffic-source")
        .process(new LocateReadings()).name("decode and locate").uid("traffic-locate");

    SingleOutputStreamOperator<DistrictTraffic> perDistrict = readings
        .keyBy(SpeedReading::district)
        .window(TumblingEventTimeWindows.of(WINDOW))
        .allowedLateness(settings.allowedLateness())
        .sideOutputLateData(LATE)
        .aggregate(new MeanSpeed(), new EmitDistrict())
        .name("district mean speed, 1 min").uid("traffic-district-window");

    perDistrict.sinkTo(districtSink).name("traffic_district to store").uid("traffic-district-sink");

    DataStream<DeadLetter> late = perDistrict.getSideOutput(LATE)
        .map(r -> DeadLetter.of(Reason.LATE, "reading for " + r.ts() + " arrived after its window closed",
            r.topic(), r.deviceId(), r.raw(), System.currentTimeMillis(), STAGE))
        .name("late readings").uid("traffic-late");
    readings.getSideOutput(DeadLetters.TAG).union(late)
        .sinkTo(deadLetterSink).name("dead letters").uid("traffic-deadletter-sink");
  }

  public static void main(String[] args) throws Exception {
    JobSettings s = JobSettings.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    JobEnvironment.configure(env, s);
    fromSettings(s).build(env);
    env.execute(NAME);
  }

  /** Decodes and places readings; the district index is built once per task. */
  static final class LocateReadings extends ProcessFunction<KafkaEvent, SpeedReading> {
    private transient DistrictIndex districts;

    @Override
    public void open(OpenContext context) {
      districts = DistrictIndex.hangzhou();
    }

    @Override
    public void processElement(KafkaEvent e, Context ctx, Collector<SpeedReading> out) {
      try {
        out.collect(TrafficReadings.toSpeedReading(e, districts));
      } catch (Rejected r) {
        ctx.output(DeadLetters.TAG, r.toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }

  static final class EmitDistrict extends ProcessWindowFunction<MeanSpeed.Acc, DistrictTraffic, String, TimeWindow> {
    @Override
    public void process(String district, Context ctx, Iterable<MeanSpeed.Acc> accs, Collector<DistrictTraffic> out) {
      MeanSpeed.Acc acc = accs.iterator().next();
      out.collect(new DistrictTraffic(district, ctx.window().getEnd(), acc.mean(), acc.count));
    }
  }
}
