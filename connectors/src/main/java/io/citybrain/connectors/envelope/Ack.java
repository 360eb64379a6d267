package io.citybrain.connectors.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An acknowledgement of an alert, as stored in {@code city.acks}.
 *
 * @param by who acknowledged: on {@code city/ack/<alertId>/<username>} the topic's user name, which
 *     the broker checked (issue 20); on contract v1's {@code city/ack/<alertId>}, the payload's claim
 * @param role that person's role in the users file, when the bridge has one (addition to v1); null
 *     in an open city, where nobody's claim can be checked
 * @param scope that person's district code or community id (addition to v1); null when none
 * @param note what the person wrote with it, at most 256 characters (addition to v1); null when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Ack(String alertId, String by, long ts, String role, String scope, String note) {

  /** Contract v1's acknowledgement: who and when, nothing checked. */
  public Ack(String alertId, String by, long ts) {
    this(alertId, by, ts, null, null, null);
  }
}
