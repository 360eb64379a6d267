package io.citybrain.jobs.emergency;

import io.citybrain.connectors.Topics;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.deadletter.DeadLetter;
import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.KafkaIo;
import io.citybrain.jobs.common.Rejected;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emergency alerts: reads {@code city.raw.emergency} and raises an alert on {@code city.alerts} for
 * every SOS press, in the district it was pressed in. Alerts are not windowed: they leave as soon
 * as the record is read.
 */
public final class EmergencyJob {

  public static final String NAME = "citybrain-emergency";
  static final String STAGE = "emergency";

  private final Source<KafkaEvent, ?, ?> source;
  private final Sink<Alert> alertSink;
  private final Sink<DeadLetter> deadLetterSink;

  public EmergencyJob(Source<KafkaEvent, ?, ?> source, Sink<Alert> alertSink, Sink<DeadLetter> deadLetterSink) {
    this.source = source;
    this.alertSink = alertSink;
    this.deadLetterSink = deadLetterSink;
  }

  public static EmergencyJob fromSettings(JobSettings s) {
    return new EmergencyJob(
        KafkaIo.source(s.kafkaBootstrap(), Topics.RAW_EMERGENCY, NAME),
        KafkaIo.alertSink(s.kafkaBootstrap()),
        KafkaIo.deadLetterSink(s.kafkaBootstrap()));
  }

  public void build(StreamExecutionEnvironment env) {
    SingleOutputStreamOperator<Alert> alerts = env
        .fromSource(source, WatermarkStrategy.noWatermarks(), "raw emergency").uid("emergency-source")
        .process(new RaiseAlerts()).name("sos alerts").uid("emergency-sos");
    alerts.sinkTo(alertSink).name("alerts to city.alerts").uid("emergency-alert-sink");
    alerts.getSideOutput(DeadLetters.TAG).sinkTo(deadLetterSink).name("dead letters").uid("emergency-deadletter-sink");
  }

  public static void main(String[] args) throws Exception {
    JobSettings s = JobSettings.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    JobEnvironment.configure(env, s);
    fromSettings(s).build(env);
    env.execute(NAME);
  }

  static final class RaiseAlerts extends ProcessFunction<KafkaEvent, Alert> {
    private transient DistrictIndex districts;

    @Override
    public void open(OpenContext context) {
      districts = DistrictIndex.hangzhou();
    }

    @Override
    public void processElement(KafkaEvent e, Context ctx, Collector<Alert> out) {
      try {
        Envelope env = Envelopes.decode(e);
        District d = districts.locate(env.lon(), env.lat())
            .orElseThrow(() -> new Rejected(Reason.OUTSIDE_CITY, env.deviceId() + " at " + env.lat() + "," + env.lon() + " is in no district"));
        SosRule.apply(env, d).ifPresent(out::collect);
      } catch (Rejected r) {
        ctx.output(DeadLetters.TAG, r.toDeadLetter(e, System.currentTimeMillis(), STAGE));
      }
    }
  }
}
