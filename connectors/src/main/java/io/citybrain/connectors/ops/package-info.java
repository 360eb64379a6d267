/**
 * Operations endpoints of citybrain's own processes (the bridge, alert dispatch): Prometheus {@code
 * /metrics}, {@code /health/live} and {@code /health/ready}, with a rate-limited check that Kafka
 * answers. Liveness never depends on Kafka or the broker; readiness does. Read-only: no answer
 * carries a secret, and the metrics carry no payloads, ids or user names.
 */
package io.citybrain.connectors.ops;
