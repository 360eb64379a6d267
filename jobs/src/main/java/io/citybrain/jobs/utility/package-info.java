/**
 * The utility job: water, power and gas meters from {@code city.raw.utility}, placed in their
 * zones, give {@code utility_zone} rows per one-minute event-time window, {@code
 * utility_zone_hourly} and {@code utility_night_flow} rows, and one alert per burst, outage, leak
 * or pressure incident. Consumption integrates each meter's rate over time rather than summing
 * readings, so neither the reporting interval nor a redelivered reading changes it; rows carry the
 * window end and alert ids the incident's event-time start, so a replay rewrites the same rows and
 * ids.
 */
package io.citybrain.jobs.utility;
