package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.jobs.common.PipelineTally.Counts;
import io.citybrain.jobs.common.PipelineTally.Edge;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The job's pipeline row: what each count reports on its own timer, and how one row adds them up.
 */
class PipelineTallyHarnessTest {

  private static final long INTERVAL = 10_000;

  @Test
  void anEntryCountsWhatPassesAndItsWatermarkLagAtTheEndOfEachInterval() throws Exception {
    try (var harness =
        new OneInputStreamOperatorTestHarness<>(
            new PipelineTally.Tally<String>("traffic", Edge.IN, INTERVAL))) {
      harness.setProcessingTime(1_000);
      harness.open();
      harness.processElement(new StreamRecord<>("a"));
      harness.processWatermark(new Watermark(500));
      harness.processElement(new StreamRecord<>("b"));
      harness.setProcessingTime(4_000);
      harness.processElement(new StreamRecord<>("c"));
      // Every record passes unchanged, the watermark too.
      assertThat(harness.extractOutputValues()).containsExactly("a", "b", "c");
      assertThat(harness.getSideOutput(PipelineTally.TAG)).isNull();

      harness.setProcessingTime(11_000);
      assertThat(values(harness)).containsExactly(new Counts("traffic", 3, 0, 0, 10_500, 11_000));
      harness.getSideOutput(PipelineTally.TAG).clear();

      // A quiet interval reports nothing; the next event is counted from zero.
      harness.setProcessingTime(21_000);
      assertThat(values(harness)).isEmpty();
      harness.processElement(new StreamRecord<>("d"));
      harness.setProcessingTime(31_000);
      assertThat(values(harness)).containsExactly(new Counts("traffic", 1, 0, 0, 30_500, 31_000));
    }
  }

  @Test
  void anExitAndTheDeadLettersCountWithoutALag() throws Exception {
    try (var out =
            new OneInputStreamOperatorTestHarness<>(
                new PipelineTally.Tally<String>("utility", Edge.OUT, INTERVAL));
        var dead =
            new OneInputStreamOperatorTestHarness<>(
                new PipelineTally.Tally<String>("utility", Edge.DEAD, INTERVAL))) {
      out.open();
      dead.open();
      out.processWatermark(new Watermark(0));
      out.processElement(new StreamRecord<>("row"));
      out.processElement(new StreamRecord<>("alert"));
      dead.processElement(new StreamRecord<>("late"));
      out.setProcessingTime(INTERVAL);
      dead.setProcessingTime(INTERVAL);
      assertThat(values(out)).containsExactly(new Counts("utility", 0, 2, 0, -1, INTERVAL));
      assertThat(values(dead)).containsExactly(new Counts("utility", 0, 0, 1, -1, INTERVAL));
    }
  }

  @Test
  void oneRowAddsUpTheCountsOfEveryEdgeAndInstancePerInterval() throws Exception {
    var sum = new KeyedProcessOperator<>(new PipelineTally.Sum(INTERVAL));
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<String, Counts, Counts>(
            sum, Counts::stage, Types.STRING)) {
      harness.setProcessingTime(5_000);
      harness.open();
      harness.processElement(new StreamRecord<>(new Counts("traffic", 100, 0, 0, 2_000, 5_000)));
      harness.processElement(new StreamRecord<>(new Counts("traffic", 50, 0, 0, 4_000, 5_100)));
      harness.processElement(new StreamRecord<>(new Counts("traffic", 0, 7, 0, -1, 5_200)));
      harness.processElement(new StreamRecord<>(new Counts("traffic", 0, 0, 2, -1, 5_300)));
      harness.setProcessingTime(14_999);
      assertThat(harness.extractOutputValues()).isEmpty();
      harness.setProcessingTime(15_000);
      assertThat(harness.extractOutputValues())
          .containsExactly(new Counts("traffic", 150, 7, 2, 4_000, 15_000));
      harness.getOutput().clear();
      harness.setProcessingTime(40_000);
      assertThat(harness.extractOutputValues()).as("nothing counted, no row").isEmpty();
    }
  }

  @Test
  void theRowIsTheContractsPipelinePoint() {
    assertThat(
            PipelineTally.toPoint(new Counts("traffic", 150, 7, 2, 4_000, 15_000)).toLineProtocol())
        .isEqualTo(
            "pipeline,stage=traffic deadletter=2i,events_in=150i,events_out=7i,lag_ms=4000.0 15000");
    assertThat(PipelineTally.toPoint(new Counts("emergency", 3, 1, 0, -1, 15_000)).toLineProtocol())
        .as("no watermarks, no lag")
        .isEqualTo("pipeline,stage=emergency deadletter=0i,events_in=3i,events_out=1i 15000");
    assertThat(PipelineTally.INTERVAL).isEqualTo(Duration.ofSeconds(10));
  }

  private static List<Counts> values(OneInputStreamOperatorTestHarness<String, String> harness) {
    var side = harness.getSideOutput(PipelineTally.TAG);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }
}
