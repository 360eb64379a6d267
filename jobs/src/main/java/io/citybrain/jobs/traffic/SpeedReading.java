package io.citybrain.jobs.traffic;

/**
 * A speed observation placed in its district. Carries the original record so that, if it arrives
 * after its window closed for good, the dead letter holds the raw bytes.
 */
public record SpeedReading(String deviceId, String district, double speedKmh, long ts, String topic, byte[] raw) {}
