package io.citybrain.jobs.emergency;

import io.citybrain.jobs.common.KafkaCoordinate;

/**
 * A signal with the place in Kafka of the record it came from: a signal refused later (an incident
 * beyond the device's quota) is dead-lettered naming that place, and the record stays readable in
 * its raw topic. The record's bytes are not carried through the shuffle (issue 19 item 5): they
 * were most of what the decoding task spent on handing a signal on (issue 22, docs/benchmarks.md).
 *
 * @param key the record's key (the device id, as the bridge writes it), the dead letter's key
 */
public record SourcedSignal(Signal signal, KafkaCoordinate source, String key) {}
