package io.citybrain.connectors.envelope;

import io.citybrain.contract.Ack;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;

/** What the bridge does with one MQTT message. */
public sealed interface IngestResult {
  /** A device reading for {@code city.raw.<domain>}. */
  record Reading(Envelope envelope) implements IngestResult {}

  /** An acknowledgement for {@code city.acks}. */
  record Acknowledgement(Ack ack) implements IngestResult {}

  /** Unusable input for {@code city.deadletter}. */
  record Rejected(DeadLetter deadLetter) implements IngestResult {}

  /** Our own output on a reserved topic ({@code city/alerts/#}): not input, nothing to forward. */
  record Reserved(String topic) implements IngestResult {}
}
