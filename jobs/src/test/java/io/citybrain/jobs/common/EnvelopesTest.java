package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
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

  /**
   * What the bridge refuses, the jobs refuse too when another producer writes it to a raw topic: a
   * record too large for a dead letter to carry, a device id that would become part of alert ids,
   * keys and MQTT topics.
   */
  @Test
  void whatTheBridgeRefusesIsRefusedOnARawTopicToo() {
    assertThatThrownBy(() -> Envelopes.decode(record(smoke("sd/1", "b-1"))))
        .isInstanceOf(Rejected.class)
        .satisfies(e -> assertThat(((Rejected) e).reason()).isEqualTo(Reason.BAD_DEVICE_ID));
    assertThatThrownBy(() -> Envelopes.decode(record(smoke("x".repeat(65), "b-1"))))
        .satisfies(e -> assertThat(((Rejected) e).reason()).isEqualTo(Reason.BAD_DEVICE_ID));
    byte[] big = new byte[Envelopes.MAX_RECORD_BYTES + 1];
    KafkaEvent huge = new KafkaEvent("city.raw.emergency", "sd-1", big, 1L, 3, 42L);
    assertThatThrownBy(() -> Envelopes.decode(huge))
        .satisfies(
            e -> {
              assertThat(((Rejected) e).reason()).isEqualTo(Reason.TOO_LARGE);
              // Named by its place, not carried: the record stays whole in its topic.
              var letter = ((Rejected) e).toDeadLetter(huge, 5L, "emergency");
              assertThat(letter.payload()).isEmpty();
              assertThat(letter.partition()).isEqualTo(3);
              assertThat(letter.offset()).isEqualTo(42L);
            });
  }

  @Test
  void aRecordTheBridgeWroteIsTaken() throws Rejected {
    Envelope ok = smoke("sd-1.a_B", "b-1:2");
    assertThat(Envelopes.decode(record(ok))).isEqualTo(ok);
    assertThat(Envelopes.reading(ok)).isPresent();
  }

  private static Envelope smoke(String device, String building) {
    return new Envelope(
        device,
        "emergency",
        "smoke",
        1L,
        30.25,
        120.14,
        Map.of("alarm", true, "buildingId", building),
        2L,
        "mqtt");
  }

  private static KafkaEvent record(Envelope e) {
    return new KafkaEvent(
        "city.raw.emergency",
        e.deviceId(),
        io.citybrain.connectors.envelope.EnvelopeCodec.encode(e),
        1L);
  }
}
