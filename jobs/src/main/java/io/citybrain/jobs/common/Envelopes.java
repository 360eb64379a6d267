package io.citybrain.jobs.common;

import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import java.io.IOException;
import java.util.Optional;

/** Decoding of raw-topic records shared by the jobs. */
public final class Envelopes {
  private Envelopes() {}

  /** The envelope in {@code e}, which must carry a position (the bridge guarantees it today). */
  public static Envelope decode(KafkaEvent e) throws Rejected {
    Envelope env;
    try {
      env = EnvelopeCodec.decode(e.value());
    } catch (IOException | RuntimeException ex) {
      throw new Rejected(Reason.BAD_ENVELOPE, "not a contract-v1 envelope: " + ex.getMessage());
    }
    if (env.lat() == null || env.lon() == null) {
      throw new Rejected(
          Reason.MISSING_POSITION, "envelope of " + env.deviceId() + " has no position");
    }
    return env;
  }

  /**
   * The typed values of {@code env}; empty for a domain and kind outside contract v1. A field
   * missing or of the wrong type is a dead letter {@code missing-field}, never a failure of the
   * job.
   */
  public static Optional<Reading> reading(Envelope env) throws Rejected {
    try {
      return Reading.of(env);
    } catch (IllegalArgumentException ex) {
      throw new Rejected(Reason.MISSING_FIELD, ex.getMessage());
    }
  }
}
