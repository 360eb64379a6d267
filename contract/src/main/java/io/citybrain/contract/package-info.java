/**
 * Contract v1 as code (issue 19): the Kafka topics and their settings ({@link
 * io.citybrain.contract.Topics}), device kinds and their typed readings, the envelope, the alert
 * (the value of {@code city.alerts} and the payload on {@code city/alerts/...}, with the readings
 * behind it as evidence; its id is stable for an incident's whole life), the acknowledgement, the
 * dead letter and its reason codes (what dashboards group by), and the time-series measurements
 * ({@link io.citybrain.contract.Measurements}), from which the store's tables, every writer's rows
 * and the console's queries are made. Depends on the JDK and Jackson only, so that every module,
 * the embedded servers included, can stand on it. Contract v1 is kept: add, never rename or drop.
 */
package io.citybrain.contract;
