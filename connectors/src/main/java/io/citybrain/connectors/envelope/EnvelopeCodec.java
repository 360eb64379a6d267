package io.citybrain.connectors.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Json;
import java.io.IOException;

/** JSON of the envelope, exactly the field names of contract v1. Thread-safe. */
public final class EnvelopeCodec {
  private EnvelopeCodec() {}

  public static byte[] encode(Envelope e) {
    try {
      return Json.MAPPER.writeValueAsBytes(e);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode envelope of " + e.deviceId(), ex);
    }
  }

  /**
   * @throws IOException when the bytes are not an envelope
   */
  public static Envelope decode(byte[] json) throws IOException {
    Envelope e = Json.MAPPER.readValue(json, Envelope.class);
    if (e == null) {
      throw new IOException("empty record");
    }
    return e;
  }

  public static byte[] encode(Ack ack) {
    try {
      return Json.MAPPER.writeValueAsBytes(ack);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode ack of " + ack.alertId(), ex);
    }
  }
}
