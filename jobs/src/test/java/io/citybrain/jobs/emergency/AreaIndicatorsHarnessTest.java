package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AreaIndicatorsHarnessTest {

  private static final long MINUTE = 60_000L;
  private static final String C7 = "c-330106-0007";

  private static Alert alert(String id, String state, long ts) {
    return new Alert(
        id,
        id.startsWith("sos") ? "sos" : "fire",
        "critical",
        state,
        "330106",
        C7,
        30.25,
        120.14,
        ts,
        "m",
        new Evidence[0],
        Alert.SCOPE_COMMUNITY,
        null);
  }

  @Test
  void countsOpenAndNewAlertsAndTheMeanTimeToAcknowledgeThenFreesTheArea() throws Exception {
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AreaIndicators(MINUTE)),
            AreaIndicators::areaKey,
            Types.STRING)) {
      harness.open();
      harness.setProcessingTime(10_000);
      harness.processElement(new StreamRecord<>(alert("sos-1-W-1", "raised", 1_000)));
      harness.processElement(new StreamRecord<>(alert("fire-2-b-1", "raised", 2_000)));
      harness.processElement(
          new StreamRecord<>(alert("fire-2-b-1", "raised", 3_000))); // the upgrade: not new

      harness.setProcessingTime(MINUTE);
      assertThat(harness.extractOutputValues())
          .containsExactly(new EmergencyArea("330106", C7, MINUTE, 2, 2, 1, 1, 0, null));
      harness.getOutput().clear();

      harness.processElement(new StreamRecord<>(alert("sos-1-W-1", "acknowledged", 31_000)));
      harness.processElement(new StreamRecord<>(alert("fire-2-b-1", "acknowledged", 62_000)));
      harness.processElement(new StreamRecord<>(alert("sos-1-W-1", "resolved", 70_000)));
      harness.setProcessingTime(2 * MINUTE);
      // Acknowledged after 30 s and 60 s: 45 s on average.
      assertThat(harness.extractOutputValues())
          .containsExactly(new EmergencyArea("330106", C7, 2 * MINUTE, 1, 0, 0, 1, 0, 45.0));
      harness.getOutput().clear();

      harness.processElement(new StreamRecord<>(alert("fire-2-b-1", "resolved", 130_000)));
      harness.setProcessingTime(3 * MINUTE);
      assertThat(harness.extractOutputValues())
          .containsExactly(new EmergencyArea("330106", C7, 3 * MINUTE, 0, 0, 0, 0, 0, null));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numProcessingTimeTimers()).isZero();
    }
  }
}
