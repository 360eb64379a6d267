package io.citybrain.contract;

/** One reading behind an alert: which device said what, when. */
public record Evidence(String deviceId, String reading, double value, long ts) {}
