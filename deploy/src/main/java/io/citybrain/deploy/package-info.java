/**
 * The one-command local city: embedded MQTT broker, Kafka, time-series store and Flink MiniCluster,
 * with the bridge, the jobs, alert dispatch and the simulators, all in one JVM.
 */
package io.citybrain.deploy;
