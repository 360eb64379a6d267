/**
 * What the modules' tests share instead of copying it between ITCases: reading a Kafka topic from
 * its beginning ({@link io.citybrain.testkit.KafkaRecords}), the tables of the README and docs
 * ({@link io.citybrain.testkit.MarkdownTables}). Used in test scope only.
 */
package io.citybrain.testkit;
