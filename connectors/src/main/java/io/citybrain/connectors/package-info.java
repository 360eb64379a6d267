/**
 * Everything that touches a wire: the event envelope of contract v1 and its JSON codec, the
 * MQTT-to-Kafka bridge, Kafka settings, the InfluxDB sink, alert dispatch and dead letters.
 */
package io.citybrain.connectors;
