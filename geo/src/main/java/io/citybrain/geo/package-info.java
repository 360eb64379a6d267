/**
 * The city's geography: districts (real polygons of Hangzhou), and the spatial questions the jobs
 * ask of them. Plain Java and JTS; nothing here knows Flink, Kafka or MQTT.
 */
package io.citybrain.geo;
