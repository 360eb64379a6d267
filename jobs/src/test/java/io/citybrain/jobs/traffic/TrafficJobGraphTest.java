package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Topics;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.KafkaIo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** What savepoint compatibility rests on, checked without running the job. */
class TrafficJobGraphTest {

  @Test
  void everyOperatorHasAStableUidAndNoTypeFallsBackToKryo() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    var s = TrafficSavepoints.settings("127.0.0.1:1");
    // generic types off: building the graph fails on the first type Flink could only serialize with
    // Kryo.
    JobEnvironment.configure(env, s);
    new TrafficJob(
            KafkaIo.source("127.0.0.1:1", TrafficJob.NAME, Topics.RAW_TRAFFIC),
            Collected.into("g1"),
            Collected.into("g2"),
            Collected.into("g3"),
            Collected.into("g4"),
            new GeoSegmentMatcher(42),
            s)
        .build(env);
    StreamGraph graph = env.getStreamGraph();
    assertThat(graph.getStreamNodes()).hasSizeGreaterThanOrEqualTo(12);
    for (StreamNode n : graph.getStreamNodes()) {
      assertThat(n.getTransformationUID()).as("uid of '%s'", n.getOperatorName()).isNotBlank();
      if (n.getTypeSerializerOut() != null) {
        assertThat(n.getTypeSerializerOut().getClass().getSimpleName())
            .as("output serializer of '%s'", n.getOperatorName())
            .isNotEqualTo("KryoSerializer");
      }
    }
    assertThat(graph.getStreamNodes())
        .extracting(StreamNode::getTransformationUID)
        .doesNotHaveDuplicates()
        .contains(
            "traffic-source",
            "traffic-decode",
            "traffic-jumps",
            "traffic-match",
            "traffic-segment-window",
            "traffic-district-window",
            "traffic-incidents",
            "traffic-late");
  }
}
