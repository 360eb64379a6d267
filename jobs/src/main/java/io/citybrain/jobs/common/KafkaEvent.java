package io.citybrain.jobs.common;

/**
 * One Kafka record as the jobs first see it, before decoding: decoding happens in an operator so
 * that a bad record becomes a dead letter instead of failing the source.
 *
 * @param timestamp the Kafka record timestamp: the observation time set by the bridge
 * @param partition the record's partition; -1 for a record that did not come from Kafka (tests)
 * @param offset the record's offset in it; -1 likewise
 */
public record KafkaEvent(
    String topic, String key, byte[] value, long timestamp, int partition, long offset) {

  /** A record made in a test or benchmark, not read from Kafka: no coordinate. */
  public KafkaEvent(String topic, String key, byte[] value, long timestamp) {
    this(topic, key, value, timestamp, -1, -1);
  }

  public KafkaCoordinate coordinate() {
    return new KafkaCoordinate(topic, partition, offset);
  }
}
