package io.citybrain.jobs.utility;

import io.citybrain.contract.Evidence;

/**
 * What one rule says about a zone now.
 *
 * @param holds the rule's condition is met (raise, or update an open incident)
 * @param over the incident, if open, has ended (false while the condition holds or hysteresis keeps
 *     it)
 * @param count affected meters
 * @param value the figure the message quotes: baseline kPa, highest ppm, lowest kPa
 */
public record Finding(
    String kind,
    String severity,
    boolean holds,
    boolean over,
    Evidence[] evidence,
    int count,
    double value,
    double lat,
    double lon) {}
