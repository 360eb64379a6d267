package io.citybrain.jobs.utility;

/**
 * One {@code utility_night_flow} row: a water zone's minimum night flow, stamped 04:00 local time.
 *
 * @param minFlowM3h the lowest one-minute zone flow between 02:00 and 04:00 in the city's time zone
 * @param minutes how many of those minutes had readings
 */
public record NightFlow(
    String zone, String district, long nightEnd, double minFlowM3h, long minutes) {}
