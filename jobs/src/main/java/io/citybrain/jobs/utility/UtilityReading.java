package io.citybrain.jobs.utility;

/**
 * One utility reading, placed in its zone. {@code NaN} marks a quantity the meter does not measure.
 *
 * @param utility {@code water}, {@code power} or {@code gas}
 * @param rate flow (m³/h) or power (kW)
 * @param level pressure (kPa), or voltage (V) for power meters
 * @param ppm methane, gas sensors only
 * @param topic the Kafka topic and {@code raw} the record's bytes: what a dead letter must carry
 */
public record UtilityReading(
    String deviceId,
    String utility,
    String zone,
    String district,
    double lat,
    double lon,
    long ts,
    double rate,
    double level,
    double ppm,
    String topic,
    byte[] raw) {}
