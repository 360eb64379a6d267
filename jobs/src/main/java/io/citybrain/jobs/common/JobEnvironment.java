package io.citybrain.jobs.common;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Settings every job applies to its environment. */
public final class JobEnvironment {
  private JobEnvironment() {}

  public static void configure(StreamExecutionEnvironment env, JobSettings s) {
    env.setParallelism(s.parallelism());
    env.enableCheckpointing(s.checkpointInterval().toMillis());
    // Kryo is slow, breaks on Java 17 module rules and on immutable collections: every type that
    // flows or is kept in state must have a Flink serializer, and this makes a miss fail at once.
    Configuration c = new Configuration();
    c.set(PipelineOptions.GENERIC_TYPES, false);
    // Without it Flink deep-copies every record between chained operators, through its serializer
    // (issue 22: the second cost of the traffic job's busiest task after state). Safe here because
    // every type the jobs hand on is an immutable record built fresh for each output, and no
    // operator changes what it received; a mutable type emitted twice would break this.
    c.set(PipelineOptions.OBJECT_REUSE, true);
    env.configure(c);
  }
}
