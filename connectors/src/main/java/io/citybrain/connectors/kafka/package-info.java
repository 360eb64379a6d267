/**
 * How citybrain's clients use Kafka: the contract's topics with the settings the contract requires
 * of them, a producer that loses nothing it acknowledged ({@code acks=all}, idempotent), one set of
 * security keys for every client (secrets only from the environment, never from a key), and the
 * least access each kind of client needs on a Kafka with authorization.
 */
package io.citybrain.connectors.kafka;
