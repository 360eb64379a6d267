package io.citybrain.jobs.common;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
import java.io.IOException;
import java.util.Optional;

/** Decoding of raw-topic records shared by the jobs. */
public final class Envelopes {
  private Envelopes() {}

  /**
   * The largest record a job reads from a raw topic: the bridge's limit for a message ({@value
   * IngestValidator#MAX_PAYLOAD_BYTES} bytes) with room for the envelope's own fields. A larger one
   * can only come from another producer.
   */
  public static final int MAX_RECORD_BYTES = 2 * IngestValidator.MAX_PAYLOAD_BYTES;

  /**
   * The envelope in {@code e}, which must carry a position (the bridge guarantees it today).
   *
   * <p>What the bridge guarantees of a record is checked again here, since another producer (an
   * older bridge, a replay tool) may write a raw topic too, and the jobs carry the device id into
   * alert ids, keys and MQTT topics: a record over {@link #MAX_RECORD_BYTES} ({@code too-large})
   * and a device id outside {@link IngestValidator#DEVICE_ID} ({@code bad-device-id}) are refused.
   * Left in, a megabyte id made an alert Kafka refuses, failing the job on it after every restart,
   * and an id with a {@code /} an alert nobody could acknowledge.
   */
  public static Envelope decode(KafkaEvent e) throws Rejected {
    if (e.value().length > MAX_RECORD_BYTES) {
      throw new Rejected(
          Reason.TOO_LARGE,
          e.value().length + " bytes, the limit for a raw record is " + MAX_RECORD_BYTES);
    }
    Envelope env;
    try {
      env = EnvelopeCodec.decode(e.value());
    } catch (IOException | RuntimeException ex) {
      throw new Rejected(Reason.BAD_ENVELOPE, "not a contract-v1 envelope: " + ex.getMessage());
    }
    if (!IngestValidator.DEVICE_ID.matcher(env.deviceId()).matches()) {
      throw new Rejected(
          Reason.BAD_DEVICE_ID, "device id must match " + IngestValidator.DEVICE_ID.pattern());
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
