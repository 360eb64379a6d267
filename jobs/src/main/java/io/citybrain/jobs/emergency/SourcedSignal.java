package io.citybrain.jobs.emergency;

import io.citybrain.jobs.common.KafkaEvent;

/**
 * A signal with the Kafka record it came from: a signal refused later is dead-lettered as it was
 * sent.
 */
public record SourcedSignal(Signal signal, KafkaEvent source) {}
