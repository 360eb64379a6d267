package io.citybrain.jobs.common;

/**
 * Where a record is in Kafka. What a job carries past its first keyed step instead of the record's
 * bytes (issue 19): a dead letter of a reading refused later (late, an impossible jump, on no road)
 * names this, and the record itself stays in its raw topic for as long as the topic keeps it.
 *
 * @param partition -1 and {@code offset} -1 where the reading did not come from Kafka (tests)
 */
public record KafkaCoordinate(String topic, int partition, long offset) {

  @Override
  public String toString() {
    return topic + "/" + partition + "@" + offset;
  }
}
