/**
 * Contract v1 as code (issue 19): the Kafka topics and their settings ({@link
 * io.citybrain.contract.Topics}) and the time-series measurements ({@link
 * io.citybrain.contract.Measurements}), from which the store's tables, every writer's rows and the
 * console's queries are made. Depends on nothing but the JDK, so that every module, the embedded
 * servers included, can stand on it. Contract v1 is kept: add, never rename or drop.
 */
package io.citybrain.contract;
