package io.citybrain.jobs.emergency;

/**
 * One row of {@code emergency_area}: the state of one community (or of the part of a district in no
 * community, {@code community} null) at the end of an interval.
 *
 * @param openAlerts alerts raised and not yet resolved
 * @param newAlerts incidents raised during the interval
 * @param sos open SOS incidents; {@code fires} and {@code floods} likewise (fires include
 *     unconfirmed ones)
 * @param meanAckS mean seconds from raise to acknowledgement of the alerts acknowledged during the
 *     interval, or null when none was
 */
public record EmergencyArea(
    String district,
    String community,
    long intervalEnd,
    long openAlerts,
    long newAlerts,
    long sos,
    long fires,
    long floods,
    Double meanAckS) {}
