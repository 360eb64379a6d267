/**
 * The MQTT-to-Kafka bridge: subscribes at QoS 1 with a persistent session (MQTT 3.1.1 or 5, HiveMQ
 * client), writes each message to {@code city.raw.<domain>}, {@code city.acks} or {@code
 * city.deadletter}, and sends the broker its PUBACK only after Kafka stored the record: duplicates
 * possible, loss not. Messages between arrival and Kafka's answer are bounded, so a slow Kafka
 * backs up into the broker's session, not into memory. Runs in the local city or as a process of
 * its own ({@code BridgeMain}) with metrics and health endpoints.
 */
package io.citybrain.connectors.bridge;
