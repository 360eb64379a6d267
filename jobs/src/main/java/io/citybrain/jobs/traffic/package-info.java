/**
 * The traffic job: loop detectors and probe vehicles from {@code city.raw.traffic}, each device's
 * readings in event-time order with repeated deliveries dropped, matched to road segments and
 * aggregated per one-minute event-time window into {@code traffic_segment} and {@code
 * traffic_district} rows, plus one {@code traffic_incident} alert per collapse of a segment's
 * speed. Rows carry the window end, so a replay of the same input rewrites the same rows; stable
 * operator uids and explicit state serializers let savepoints of earlier builds restore.
 */
package io.citybrain.jobs.traffic;
