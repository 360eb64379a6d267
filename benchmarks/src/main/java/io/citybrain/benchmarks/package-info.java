/**
 * Measurements of the spatial engine ({@code geo}), kept apart from the tests: JMH benchmarks and
 * plain mains that time point-in-area lookups, map matching, index memory and the loading of a
 * large city package. Each lookup is compared with a plain loop and an STR-tree that answer the
 * same questions on the same seeded points. The build never runs them; docs/benchmarks.md has each
 * figure with its command.
 */
package io.citybrain.benchmarks;
