package io.citybrain.connectors.deadletter;

/**
 * Why a message was refused. The {@link #code()} is what the dead-letter record carries and what
 * dashboards group by; codes are part of contract v1 (add, never rename).
 */
public enum Reason {
  TOO_LARGE("too-large"),
  NOT_UTF8("not-utf8"),
  NOT_JSON("not-json"),
  NOT_OBJECT("not-object"),
  BAD_TOPIC("bad-topic"),
  BAD_DEVICE_ID("bad-device-id"),
  UNKNOWN_KIND("unknown-kind"),
  MISSING_FIELD("missing-field"),
  BAD_FIELD("bad-field"),
  BAD_TIMESTAMP("bad-timestamp"),
  FUTURE_TIMESTAMP("future-timestamp"),
  MISSING_POSITION("missing-position"),
  BAD_POSITION("bad-position"),
  OUTSIDE_CITY("outside-city"),
  BAD_ENVELOPE("bad-envelope"),
  LATE("late"),
  IMPOSSIBLE_JUMP("impossible-jump"),
  UNMATCHED("unmatched"),
  /** Alert dispatch: a record of {@code city.alerts} that is not an alert. */
  BAD_ALERT("bad-alert"),
  /** Alert dispatch: a webhook refused the alert or kept failing until retries ran out. */
  WEBHOOK_FAILED("webhook-failed"),
  /** Alert dispatch: the store refused the alert's point or kept failing until retries ran out. */
  STORE_FAILED("store-failed"),
  /**
   * A job refused a layer of {@code city.geography} (a bad feature, an unknown district) and keeps
   * the geography it had; the message names the feature and the problem. Addition to contract v1.
   */
  BAD_GEOGRAPHY("bad-geography"),
  /**
   * Kafka refused this record alone (too large for the topic, a timestamp outside the topic's
   * window, ...): the bridge keeps the message as a dead letter whose payload is cut to its first
   * bytes, with its length and SHA-256 in the detail. Addition to contract v1.
   */
  KAFKA_REFUSED("kafka-refused"),
  /** The bridge itself failed on this message (a bug): kept rather than lost or retried forever. */
  INTERNAL_ERROR("internal-error");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
