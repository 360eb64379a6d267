package io.citybrain.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An alert of contract v1, the value of {@code city.alerts} and the payload on {@code
 * city/alerts/...}. Evidence is an array so that Flink serializes the record as a POJO, without
 * Kryo.
 *
 * @param alertId stable: the same incident always yields the same id
 * @param district six-digit division code
 * @param community the community's id, or null when the position is in none
 * @param message Chinese and English
 * @param scope who must be told: {@code community} (its manager) or {@code district} (its officer
 *     too); an addition to contract v1, absent in older alerts, where it means {@code district}
 * @param acknowledgedBy who acknowledged it, once someone has
 * @param note the text a person gave with this change: an acknowledgement's note, a resolution's
 *     reason, a comment (addition to v1, issue 20)
 * @param actor the person who made this change; absent when the job made it (raised, escalated,
 *     resolved when quiet) (addition to v1)
 * @param action what {@code actor} did: {@link #ACTION_ACKNOWLEDGED}, {@link #ACTION_RESOLVED},
 *     {@link #ACTION_ASSIGNED} or {@link #ACTION_COMMENTED}; an assignment or a comment leaves the
 *     state as it was (addition to v1)
 * @param assignee who the alert is assigned to, once someone assigned it (addition to v1)
 *     <p>The four additions are absent (not null) in the JSON when empty, so older readers see the
 *     alerts they always saw.
 */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({
  "alertId",
  "kind",
  "severity",
  "state",
  "district",
  "community",
  "lat",
  "lon",
  "ts",
  "message",
  "evidence",
  "scope",
  "acknowledgedBy",
  "note",
  "actor",
  "action",
  "assignee"
})
public record Alert(
    String alertId,
    String kind,
    String severity,
    String state,
    String district,
    String community,
    double lat,
    double lon,
    long ts,
    String message,
    Evidence[] evidence,
    String scope,
    String acknowledgedBy,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String note,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String actor,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String action,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String assignee) {

  public static final String SEVERITY_CRITICAL = "critical";
  public static final String SEVERITY_WARNING = "warning";
  public static final String SEVERITY_INFO = "info";
  public static final String STATE_RAISED = "raised";
  public static final String STATE_ESCALATED = "escalated";
  public static final String STATE_ACKNOWLEDGED = "acknowledged";
  public static final String STATE_RESOLVED = "resolved";
  public static final String SCOPE_COMMUNITY = "community";
  public static final String SCOPE_DISTRICT = "district";
  public static final String ACTION_ACKNOWLEDGED = "acknowledged";
  public static final String ACTION_RESOLVED = "resolved";
  public static final String ACTION_ASSIGNED = "assigned";
  public static final String ACTION_COMMENTED = "commented";

  public Alert {
    Objects.requireNonNull(alertId, "alertId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(district, "district");
    evidence = evidence == null ? new Evidence[0] : evidence.clone();
    if (scope == null) {
      scope = SCOPE_DISTRICT;
    }
  }

  /**
   * An alert the job changed by itself: contract v1's fields and {@code scope} and {@code
   * acknowledgedBy}.
   */
  public Alert(
      String alertId,
      String kind,
      String severity,
      String state,
      String district,
      String community,
      double lat,
      double lon,
      long ts,
      String message,
      Evidence[] evidence,
      String scope,
      String acknowledgedBy) {
    this(
        alertId,
        kind,
        severity,
        state,
        district,
        community,
        lat,
        lon,
        ts,
        message,
        evidence,
        scope,
        acknowledgedBy,
        null,
        null,
        null,
        null);
  }

  /**
   * Whether this record changes the alert's state (not an assignment or a comment, which leave it
   * as it was).
   */
  public boolean changesState() {
    return !ACTION_ASSIGNED.equals(action) && !ACTION_COMMENTED.equals(action);
  }

  /** Whether the district officer is told, not only the community's manager. */
  public boolean forDistrict() {
    return community == null || SCOPE_DISTRICT.equals(scope);
  }

  @Override
  public Evidence[] evidence() {
    return evidence.clone();
  }

  public byte[] toJson() {
    try {
      return Json.MAPPER.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode alert " + alertId, e);
    }
  }

  public static Alert fromJson(byte[] json) {
    try {
      return Json.MAPPER.readValue(json, Alert.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not an alert", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Alert a
        && alertId.equals(a.alertId)
        && kind.equals(a.kind)
        && Objects.equals(severity, a.severity)
        && Objects.equals(state, a.state)
        && district.equals(a.district)
        && Objects.equals(community, a.community)
        && Double.compare(lat, a.lat) == 0
        && Double.compare(lon, a.lon) == 0
        && ts == a.ts
        && Objects.equals(message, a.message)
        && Arrays.equals(evidence, a.evidence)
        && Objects.equals(scope, a.scope)
        && Objects.equals(acknowledgedBy, a.acknowledgedBy)
        && Objects.equals(note, a.note)
        && Objects.equals(actor, a.actor)
        && Objects.equals(action, a.action)
        && Objects.equals(assignee, a.assignee);
  }

  @Override
  public int hashCode() {
    return Objects.hash(alertId, state, ts);
  }

  @Override
  public String toString() {
    return "Alert["
        + alertId
        + " "
        + kind
        + "/"
        + severity
        + "/"
        + state
        + " district="
        + district
        + " community="
        + community
        + " scope="
        + scope
        + " ts="
        + ts
        + " evidence="
        + Arrays.toString(evidence)
        + "]";
  }
}
