package io.citybrain.simulators;

import java.util.Base64;

/**
 * One line of a recording (JSON lines): the simulated time, the device kind, the topic and the
 * payload in base64 (payloads may be deliberately malformed bytes).
 */
public record Recorded(long t, String kind, String topic, String payloadB64) {
  static Recorded of(Message m) {
    return new Recorded(
        m.eventTs(), m.kind(), m.topic(), Base64.getEncoder().encodeToString(m.payload()));
  }

  Message toMessage() {
    return new Message(topic, Base64.getDecoder().decode(payloadB64), kind, t);
  }
}
