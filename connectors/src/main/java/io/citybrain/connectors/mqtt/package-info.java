/**
 * Publishing to the MQTT broker with confirmation, for alert dispatch and the console's
 * acknowledgements: a publish completes on the broker's PUBACK (QoS 1), a wrong account fails the
 * first connect at once, and a lost connection is re-established with backoff while publishes fail
 * fast for the caller to repeat. On the HiveMQ client, like the bridge.
 */
package io.citybrain.connectors.mqtt;
