/**
 * Publishing a replaced layer of the city (communities, zones or roads) to {@code city.geography},
 * which the running jobs read as broadcast state. The record is the layer's GeoJSON,
 * gzip-compressed, keyed by layer name, written idempotently and acknowledged by all in-sync
 * replicas: once a publish returns, the layer is in the topic. Nothing here checks the layer;
 * {@code city publish} does first.
 */
package io.citybrain.connectors.geography;
