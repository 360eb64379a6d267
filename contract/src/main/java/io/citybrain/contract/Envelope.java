package io.citybrain.contract;

import java.util.Map;
import java.util.Objects;

/**
 * The event envelope of contract v1, the value of every {@code city.raw.<domain>} record.
 *
 * @param ts observation time, epoch milliseconds (also the Kafka record timestamp)
 * @param lat WGS84 degrees; null only for fixed devices whose position comes from the registry
 * @param values the reading's fields as sent by the device (numbers, booleans, strings)
 * @param receivedAt when the bridge received it, epoch milliseconds
 * @param source where it came from, e.g. {@code mqtt}
 */
public record Envelope(
    String deviceId,
    String domain,
    String kind,
    long ts,
    Double lat,
    Double lon,
    Map<String, Object> values,
    long receivedAt,
    String source) {

  public Envelope {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(kind, "kind");
    values = Map.copyOf(values);
  }

  public double number(String field) {
    Object v = values.get(field);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(deviceId + ": field '" + field + "' is not a number: " + v);
  }
}
