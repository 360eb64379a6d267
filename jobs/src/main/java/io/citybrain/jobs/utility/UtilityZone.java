package io.citybrain.jobs.utility;

/**
 * One {@code utility_zone} row: a zone in a one-minute event-time window, stamped with the window
 * end; or, on {@link ZoneMonitor#HOURLY}, one {@code utility_zone_hourly} row, the same over an
 * hour (consumption and minimum pressure of its minutes, meters with a reading in the hour, dark
 * meters as of the hour's end).
 *
 * @param consumption m³ (water) or kWh (power) in the window, integrated over time; null for gas
 * @param pressureKpaMin the lowest pressure read in the window; null for power or when none was
 *     read
 * @param metersReporting meters with at least one reading in the window
 * @param metersDark known meters without a reading in the two intervals before the window end
 */
public record UtilityZone(
    String zone,
    String district,
    String utility,
    long windowEnd,
    Double consumption,
    Double pressureKpaMin,
    long metersReporting,
    long metersDark) {}
