/**
 * The emergency and community job: smoke alarms, SOS presses, flood gauges and resident tickets,
 * with acknowledgements from {@code city.acks}, become one incident each with one stable alert id;
 * only its transitions go to {@code city.alerts}, and areas get {@code emergency_area} and {@code
 * community_tickets} rows. Escalations and ticket cards run on processing-time timers, since they
 * measure how long people take; a per-device cap keeps invented ids from growing the state.
 */
package io.citybrain.jobs.emergency;
