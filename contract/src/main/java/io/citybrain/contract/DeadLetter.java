package io.citybrain.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

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

  /**
   * The most bytes of a record a dead letter carries whole (the bridge's limit for a message). A
   * larger record, which only another producer can put on a raw topic, is cut to its first {@link
   * #CUT_PAYLOAD_BYTES} with its length and SHA-256 in the detail: carried whole, in base64, it
   * would outgrow the dead-letter topic's 1 MB and fail the job that refused it, again after every
   * restart.
   */
  public static final int MAX_CARRIED_BYTES = 64 * 1024;

  public static final int CUT_PAYLOAD_BYTES = 1024;

  /**
   * A detail may quote the refused value; a hostile one is cut here, so that a dead letter stays
   * small and readable whatever was sent.
   */
  public static final int MAX_DETAIL_CHARS = 1024;

  /** A key (device id, else the topic) longer than this is cut. */
  public static final int MAX_KEY_CHARS = 256;

  public DeadLetter {
    detail = cut(detail, MAX_DETAIL_CHARS);
    key = cut(key, MAX_KEY_CHARS);
  }

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

  /** A dead letter that carries {@code raw}, cut as {@link #MAX_CARRIED_BYTES} says. */
  public static DeadLetter of(
      Reason reason, String detail, String topic, String key, byte[] raw, long time, String stage) {
    if (raw.length > MAX_CARRIED_BYTES) {
      detail = cut(detail, MAX_DETAIL_CHARS - 160) + "; " + fingerprint(raw, CUT_PAYLOAD_BYTES);
      raw = Arrays.copyOf(raw, CUT_PAYLOAD_BYTES);
    }
    return new DeadLetter(
        reason.code(), detail, topic, key, Base64.getEncoder().encodeToString(raw), time, stage);
  }

  /**
   * "payload N bytes, SHA-256 X", and ", cut to its first K bytes" when {@code carried} is less:
   * what matches a cut dead letter to what was sent.
   */
  public static String fingerprint(byte[] raw, int carried) {
    String digest;
    try {
      digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return "payload "
        + raw.length
        + " bytes, SHA-256 "
        + digest
        + (carried < raw.length ? ", cut to its first " + carried + " bytes" : "");
  }

  /** {@code s} up to {@code max} characters, never splitting a surrogate pair; null stays null. */
  static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + "... (" + (s.length() - end) + " more characters)";
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
