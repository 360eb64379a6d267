package io.citybrain.geo;

import java.util.Optional;

/**
 * Every area a point is in: its district, its community (null between communities: roads, parks,
 * open land), and its zone of each utility (null where that network has no zone). A point outside
 * every district is {@link #OUTSIDE} — the caller sends its event to {@code city.deadletter} with
 * the reason {@link #OUTSIDE_REASON}.
 *
 * <p>Immutable.
 */
public record Areas(
    District district, Community community, UtilityZone water, UtilityZone power, UtilityZone gas) {

  /** The answer for a point outside the city. */
  public static final Areas OUTSIDE = new Areas(null, null, null, null, null);

  /** The dead-letter reason for an event whose position is outside the city. */
  public static final String OUTSIDE_REASON = "outside-city";

  public boolean isOutside() {
    return district == null;
  }

  /** The six-digit district code, or null outside the city. */
  public String districtCode() {
    return district == null ? null : district.code();
  }

  /** The community id, or null when the point is in no community. */
  public String communityId() {
    return community == null ? null : community.id();
  }

  /** The zone of the given utility covering the point, if any. */
  public Optional<UtilityZone> zone(Utility utility) {
    if (utility == Utility.WATER) {
      return Optional.ofNullable(water);
    }
    if (utility == Utility.POWER) {
      return Optional.ofNullable(power);
    }
    return Optional.ofNullable(gas);
  }
}
