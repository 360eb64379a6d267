package io.citybrain.jobs.emergency;

/**
 * One emergency or community reading, placed and reduced to what the incident rules need.
 *
 * @param key the incident it belongs to: {@code <family>|<subject>} (e.g. {@code fire|b-12}, {@code
 *     sos|W-9}); all signals and acknowledgements of one incident share it
 * @param on smoke alarm sounding, SOS pressed
 * @param value flood depth in cm
 * @param status ticket status ({@code opened}, {@code assigned}, {@code resolved}), else null
 * @param category ticket category, else null
 * @param fireStation the nearest fire station (name), else null; {@code fireStationM} its distance
 */
public record Signal(
    String key,
    String family,
    String deviceId,
    String district,
    String community,
    double lat,
    double lon,
    long ts,
    boolean on,
    double value,
    String status,
    String category,
    String fireStation,
    double fireStationM) {

  public String subject() {
    return key.substring(key.indexOf('|') + 1);
  }
}
