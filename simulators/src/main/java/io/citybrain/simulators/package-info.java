/**
 * Simulated devices placed on the city model, publishing contract-v1 readings over MQTT to any
 * broker, so that jobs can be run and watched on a developer's machine.
 */
package io.citybrain.simulators;
