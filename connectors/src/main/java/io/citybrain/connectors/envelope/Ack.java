package io.citybrain.connectors.envelope;

/** A community manager's acknowledgement of an alert, as stored in {@code city.acks}. */
public record Ack(String alertId, String by, long ts) {}
