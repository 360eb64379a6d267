/**
 * Writing indicators to the time-series store through influxdb-client-java's v2 write API (InfluxDB
 * 2.x/3.x in production, QuestDB locally): a Flink sink for the jobs and the batch writer alert
 * dispatch shares. At-least-once: every checkpoint flushes the buffer, and a point's series and
 * time (a window's end) are deterministic, so a replay overwrites rather than adds. I/O errors, 429
 * and 5xx are retried; a point the store refuses for its content is logged and counted, not allowed
 * to stall the job.
 */
package io.citybrain.connectors.influx;
