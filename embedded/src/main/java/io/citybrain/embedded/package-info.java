/**
 * Real servers started inside this JVM: a single-node Kafka in KRaft mode, the Moquette MQTT broker
 * and QuestDB (which accepts InfluxDB v2 writes). The local city runs on them; so do the
 * integration tests. Nothing here is a mock: each class starts the server's own production code.
 */
package io.citybrain.embedded;
