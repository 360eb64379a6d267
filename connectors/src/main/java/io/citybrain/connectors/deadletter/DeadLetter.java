package io.citybrain.connectors.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.citybrain.connectors.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A refused message, as stored in {@code city.deadletter}: the reason code, a human-readable
 * detail, where it came from ({@code topic} is the MQTT topic for the bridge, the Kafka topic for a
 * job), the Kafka key (device id, else the topic), the raw bytes in base64, and when it was
 * refused.
 *
 * @param stage which part refused it ({@code bridge}, {@code traffic}, ...)
 * @param partition with {@code offset}, where in Kafka {@code topic} the refused record is, for a
 *     record a job refused after carrying only its coordinate (late, impossible jump, on no road,
 *     an incident beyond a device's quota: then {@code payload} is empty); absent otherwise (an
 *     addition to contract v1)
 */
public record DeadLetter(
    String reason,
    String detail,
    String topic,
    String key,
    String payload,
    long time,
    String stage,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer partition,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long offset) {

  /** A dead letter that carries its record's bytes. */
  public DeadLetter(
      String reason,
      String detail,
      String topic,
      String key,
      String payload,
      long time,
      String stage) {
    this(reason, detail, topic, key, payload, time, stage, null, null);
  }

  public static DeadLetter of(
      Reason reason, String detail, String topic, String key, byte[] raw, long time, String stage) {
    return new DeadLetter(
        reason.code(), detail, topic, key, Base64.getEncoder().encodeToString(raw), time, stage);
  }

  /**
   * A dead letter that names where its record is instead of carrying it: for a job that let the
   * bytes go after its first step (issue 19), the record being in {@code topic} at {@code
   * partition}, {@code offset}.
   */
  public static DeadLetter located(
      Reason reason,
      String detail,
      String topic,
      String key,
      int partition,
      long offset,
      long time,
      String stage) {
    return new DeadLetter(reason.code(), detail, topic, key, "", time, stage, partition, offset);
  }

  public byte[] rawPayload() {
    return Base64.getDecoder().decode(payload);
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode dead letter", e);
    }
  }

  public static DeadLetter fromJson(byte[] json) {
    try {
      return Json.MAPPER.readValue(json, DeadLetter.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "not a dead-letter record: " + new String(json, StandardCharsets.UTF_8), e);
    }
  }
}
