/**
 * The entry point of the production job jar: {@code --job traffic|utility|emergency} with the job's
 * {@code --key value} settings, each also readable as {@code citybrain.<key>} from the Flink
 * configuration; the store token may, and Kafka's secrets must, come from the environment instead.
 * Every value is checked before a single operator exists, so a wrong one stops the submission
 * naming its key.
 */
package io.citybrain.jobs.dist;
