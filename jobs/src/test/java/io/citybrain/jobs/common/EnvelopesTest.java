package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopesTest {

  /**
   * A record on a raw topic that did not come through the bridge's checks (another producer, an
   * older bridge): a flood level without its depth used to throw out of the emergency job's
   * operator, failing the job on the same record after every restart. It is a dead letter now.
   */
  @Test
  void aFieldMissingFromARecordIsADeadLetterNotAFailure() throws Rejected {
    Envelope flood =
        new Envelope("F-1", "emergency", "flood", 1L, 30.25, 120.14, Map.of(), 2L, "kafka");
    assertThatThrownBy(() -> Envelopes.reading(flood))
        .isInstanceOf(Rejected.class)
        .satisfies(e -> assertThat(((Rejected) e).reason()).isEqualTo(Reason.MISSING_FIELD))
        .hasMessageContaining("F-1: field 'depthCm' is not a number");
    assertThat(
            Envelopes.reading(
                new Envelope(
                    "F-1",
                    "emergency",
                    "flood",
                    1L,
                    30.25,
                    120.14,
                    Map.of("depthCm", 12),
                    2L,
                    "mqtt")))
        .contains(new Reading.Flood(12));
  }
}
