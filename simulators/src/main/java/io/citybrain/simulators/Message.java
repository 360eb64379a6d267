package io.citybrain.simulators;

/**
 * One MQTT message the simulator sends.
 *
 * @param kind {@code <domain>/<kind>} of the device, for the per-kind counts
 * @param eventTs the simulated time it stands for (epoch ms), used to order replay
 */
public record Message(String topic, byte[] payload, String kind, long eventTs) {}
