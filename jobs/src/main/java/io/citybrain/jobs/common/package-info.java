/**
 * What every job needs besides its own rules: settings from {@code --key value} arguments (a wrong
 * one stops start-up naming its key), the city it runs on and the layers an operator replaces while
 * it runs, the production Kafka sources and sinks and the store's sinks on those settings, each
 * output counted on its way out ({@link io.citybrain.jobs.common.PipelineTally}), and one device's
 * readings in event-time order with repeated deliveries dropped. Records are decoded in operators,
 * not in the source, so a bad record becomes a dead letter instead of failing the job; a bad layer
 * too, and the previous one stays.
 */
package io.citybrain.jobs.common;
