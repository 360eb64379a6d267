/**
 * The alert of contract v1: the value of {@code city.alerts} and the payload on {@code
 * city/alerts/...}, with the readings behind it as evidence. The jobs produce it; alert dispatch
 * and the console read it. Fields are only ever added, and the alert id is stable for an incident's
 * whole life, so a subscriber can drop an id and state it has already seen (delivery is
 * at-least-once).
 */
package io.citybrain.connectors.alert;
