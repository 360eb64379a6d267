/**
 * The device registry ({@code devices.csv}): where each fixed device is and what it belongs to
 * (segment, building, zone, community). The simulators write it; the bridge places devices that
 * send no position from it, and the traffic job takes a loop detector's segment from it. Immutable
 * and thread-safe once loaded.
 */
package io.citybrain.connectors.registry;
