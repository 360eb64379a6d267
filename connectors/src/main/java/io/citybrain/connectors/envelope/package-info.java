/**
 * Contract v1 at the door: the device kinds and the fields each must send, the event envelope every
 * {@code city.raw.<domain>} record carries, a community manager's acknowledgement, and the
 * validation that turns one MQTT message into a reading, an acknowledgement or a dead letter with
 * its reason (or ignores citybrain's own alerts). Pure: the clock and the device registry are
 * passed in, so the same message always gets the same answer.
 */
package io.citybrain.connectors.envelope;
