/**
 * The built-in live console of the local city: one HTTP port serving a Leaflet map of the city
 * model (districts coloured by congestion level, roads by TTI, alerts and incidents as markers),
 * live figures, the alert list with acknowledgement, and pipeline health. It reads the store over
 * its HTTP {@code /exec} SQL endpoint, follows {@code city.alerts} on Kafka, and publishes
 * acknowledgements on MQTT {@code city/ack/<alertId>} exactly as a community manager's app would.
 */
package io.citybrain.console;
