package io.citybrain.connectors.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineReporterTest {

  private static final Instant WINDOW_END = Instant.parse("2026-01-05T08:00:10Z");

  @Test
  void aPointCarriesTheIntervalsCountsAndItsLongestLag() {
    var before = new BridgeMetrics.Snapshot(100, 90, Map.of("not-json", 5L), 5, 1, 0, 0, 40);
    var now =
        new BridgeMetrics.Snapshot(
            160, 140, Map.of("not-json", 7L, "bad-field", 3L), 10, 1, 0, 0, 25);
    assertThat(PipelineReporter.point("bridge-1", before, now, WINDOW_END).toLineProtocol())
        .isEqualTo(
            "pipeline,stage=bridge-1 deadletter=5i,events_in=60i,events_out=50i,lag_ms=25.0 1767600010000");
  }
}
