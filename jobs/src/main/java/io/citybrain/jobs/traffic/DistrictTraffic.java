package io.citybrain.jobs.traffic;

/**
 * One row of {@code traffic_district}, for one district and one one-minute window.
 *
 * @param windowEnd exclusive end of the window, epoch ms: the row's timestamp, so that a late
 *     update or a replay overwrites the same row
 * @param level 0 smooth, 1 slow, 2 congested, 3 severe
 */
public record DistrictTraffic(
    String district,
    long windowEnd,
    double tti,
    int level,
    double meanSpeedKmh,
    double congestedKm,
    long samples) {}
