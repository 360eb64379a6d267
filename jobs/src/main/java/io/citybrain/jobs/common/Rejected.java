package io.citybrain.jobs.common;

import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Reason;

/** Thrown by the pure decoding functions; the operator turns it into a dead letter. */
public final class Rejected extends Exception {
  private final Reason reason;

  public Rejected(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** A dead letter naming where the record is, for a step that no longer holds its bytes. */
  public DeadLetter toDeadLetter(KafkaCoordinate at, String key, long now, String stage) {
    return DeadLetter.located(
        reason, getMessage(), at.topic(), key, at.partition(), at.offset(), now, stage);
  }

  /**
   * A dead letter carrying {@code e}'s bytes; for a record over {@link
   * DeadLetter#MAX_CARRIED_BYTES} read from Kafka, its place instead, where it stays whole.
   */
  public DeadLetter toDeadLetter(KafkaEvent e, long now, String stage) {
    String key = e.key() != null ? e.key() : e.topic();
    if (e.value().length > DeadLetter.MAX_CARRIED_BYTES && e.partition() >= 0) {
      return DeadLetter.located(
          reason,
          getMessage()
              + " (the record's "
              + e.value().length
              + " bytes are more than a dead letter carries: it is named by its place)",
          e.topic(),
          key,
          e.partition(),
          e.offset(),
          now,
          stage);
    }
    return DeadLetter.of(reason, getMessage(), e.topic(), key, e.value(), now, stage);
  }
}
