package io.citybrain.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a person did to an alert, as stored in {@code city.acks}: an acknowledgement (contract v1),
 * or, as additions, a resolution with its reason, an assignment or a comment.
 *
 * @param by who: on {@code city/ack/<alertId>/<username>} the topic's user name, which the broker
 *     checked (issue 20); on contract v1's {@code city/ack/<alertId>}, the payload's claim
 * @param role that person's role in the users file, when the bridge has one (addition to v1); null
 *     in an open city, where nobody's claim can be checked
 * @param scope that person's district code or community id (addition to v1); null when none
 * @param note the text that comes with it, at most 256 characters: the acknowledgement's note, the
 *     resolution's reason (required), the comment (required) (addition to v1); null when none
 * @param action {@link #ACKNOWLEDGE} (also when null, as in v1), {@link #RESOLVE}, {@link #ASSIGN}
 *     or {@link #COMMENT} (addition to v1)
 * @param assignee for {@link #ASSIGN}: the user name the alert is given to (addition to v1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Ack(
    String alertId,
    String by,
    long ts,
    String role,
    String scope,
    String note,
    String action,
    String assignee) {

  public static final String ACKNOWLEDGE = "acknowledge";
  public static final String RESOLVE = "resolve";
  public static final String ASSIGN = "assign";
  public static final String COMMENT = "comment";
  public static final List<String> ACTIONS = List.of(ACKNOWLEDGE, RESOLVE, ASSIGN, COMMENT);

  /** Contract v1's acknowledgement: who and when, nothing checked. */
  public Ack(String alertId, String by, long ts) {
    this(alertId, by, ts, null, null, null, null, null);
  }

  /** An acknowledgement with the person's role, scope and note. */
  public Ack(String alertId, String by, long ts, String role, String scope, String note) {
    this(alertId, by, ts, role, scope, note, null, null);
  }

  /** What this record asks: {@link #ACKNOWLEDGE} when it does not say. */
  public String actionOrDefault() {
    return action == null ? ACKNOWLEDGE : action;
  }
}
