package io.citybrain.contract;

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
  /**
   * The observation time is older than the bridge's {@code bridge.max-reading-age} (default 2 h),
   * or older than the emergency job's own bound for a signal. Addition to contract v1.
   */
  STALE_TIMESTAMP("stale-timestamp"),
  /**
   * The observation time is before 2000-01-01T00:00Z: an unset or reset device clock. Addition to
   * contract v1.
   */
  TIMESTAMP_BEFORE_2000("timestamp-before-2000"),
  /**
   * An epoch number that is a plausible time in seconds, sent where milliseconds are due. Addition
   * to contract v1.
   */
  TIMESTAMP_IN_SECONDS("timestamp-in-seconds"),
  /**
   * A building or ticket id in the payload outside {@code [A-Za-z0-9._:-]{1,64}}: ids become alert
   * keys, alert ids and message text, so they never carry markup, spaces or control characters.
   * Addition to contract v1.
   */
  BAD_ID("bad-id"),
  /**
   * The device id is in the device registry under another domain or kind: a registered device
   * speaks only as what it was installed as, so a smoke detector's account cannot raise an SOS.
   * Addition to contract v1.
   */
  WRONG_KIND("wrong-kind"),
  /**
   * A device opened more incidents at once than the emergency job allows one device ({@code
   * emergency.max-open-tickets-per-device}, {@code emergency.max-buildings-per-detector}): ids
   * chosen by a sender must not grow the job's state and the alerts without bound. Addition to
   * contract v1.
   */
  TOO_MANY_INCIDENTS("too-many-incidents"),
  /** The bridge itself failed on this message (a bug): kept rather than lost or retried forever. */
  INTERNAL_ERROR("internal-error"),
  /**
   * Alert dispatch: the SMTP server refused an e-mail channel's message or kept failing until
   * retries ran out. Addition to contract v1.
   */
  EMAIL_FAILED("email-failed"),
  /**
   * An acknowledgement that cannot be trusted or may not be applied (issue 20): in a city with a
   * users file, one on contract v1's {@code city/ack/<alertId>} (it names nobody the broker
   * checked) or from someone who is not a person of the file (bridge); one by a person whose
   * district or community is not the alert's (emergency job). Addition to contract v1.
   */
  ACK_REFUSED("ack-refused");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
