package io.citybrain.jobs.common;

import io.citybrain.connectors.deadletter.Reason;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import java.io.IOException;

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
}
