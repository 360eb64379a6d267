/**
 * The record a refused message becomes on {@code city.deadletter}: reason code, detail, where it
 * came from, the original bytes in base64 and the stage that refused it. The bridge, the jobs and
 * alert dispatch write them, so nothing refused disappears without a trace. Reason codes are part
 * of contract v1 and what dashboards group by: added, never renamed.
 */
package io.citybrain.connectors.deadletter;
