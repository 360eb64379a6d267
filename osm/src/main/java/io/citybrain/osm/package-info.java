/**
 * {@code city import}: a city package from an OpenStreetMap extract ({@code .osm}, {@code
 * .osm.bz2}, {@code .osm.pbf}, read with Osmosis), with the city's own district, community and zone
 * boundaries when given. The package is written whole or not at all; a refusal names the file and
 * the feature, and what is skipped is counted. Only the command line uses it, so no job jar carries
 * Osmosis.
 */
package io.citybrain.osm;
