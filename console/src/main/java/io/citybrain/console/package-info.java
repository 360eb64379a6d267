/**
 * The live console: one HTTP port serving a Leaflet map of the city model (districts coloured by
 * congestion level, roads by TTI, alerts and incidents as markers), live figures, the alert list
 * with acknowledgement, and pipeline health. It reads the indicators through {@code
 * IndicatorReader} (QuestDB's SQL or InfluxQL), follows {@code city.alerts} on Kafka, and publishes
 * acknowledgements on MQTT {@code city/ack/<alertId>} exactly as a community manager's app would.
 * Inside the local city's process, or a service of its own ({@link
 * io.citybrain.console.ConsoleMain}).
 */
package io.citybrain.console;
