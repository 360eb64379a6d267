package io.citybrain.jobs.common;

/**
 * One Kafka record as the jobs first see it, before decoding: decoding happens in an operator so
 * that a bad record becomes a dead letter instead of failing the source.
 *
 * @param timestamp the Kafka record timestamp: the observation time set by the bridge
 */
public record KafkaEvent(String topic, String key, byte[] value, long timestamp) {}
