/**
 * Contract v1 as published to the people who build against it: the JSON Schemas of every MQTT
 * payload and Kafka value, built from the same definitions the bridge and jobs validate with
 * (docs/contract.md, docs/contract/). The definitions themselves still live beside their users
 * ({@code envelope.DeviceKind}, {@code deadletter.Reason}, {@code alert.Alert}, {@code Topics}).
 */
package io.citybrain.connectors.contract;
