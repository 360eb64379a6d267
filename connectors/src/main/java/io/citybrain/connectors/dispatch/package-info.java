/**
 * Alert dispatch: reads {@code city.alerts} as one consumer group and delivers each alert over MQTT
 * (its community's topic; its district's too when the scope is the district or it is in no
 * community), to the configured webhooks, and as a row of the {@code alert} measurement. Offsets
 * are committed only after all of that, so a crash redelivers rather than loses: at-least-once, and
 * subscribers deduplicate by alert id and state. A webhook or store write that gives up becomes a
 * dead letter.
 */
package io.citybrain.connectors.dispatch;
