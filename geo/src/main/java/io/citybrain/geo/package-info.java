/**
 * The city's geography: its districts, communities, roads, buildings, utility zones and facilities,
 * read from a city package (imported from OpenStreetMap and published boundaries, or generated
 * inside Hangzhou's real districts for the demo), and the spatial questions the jobs ask of them.
 * Plain Java and JTS; nothing here knows Flink, Kafka or MQTT.
 */
package io.citybrain.geo;
