/**
 * The Flink jobs. Each job takes its sources and sinks as arguments and only wires them to small,
 * separately tested functions; its {@code main} parses configuration and supplies the production
 * Kafka sources and sinks.
 */
package io.citybrain.jobs;
