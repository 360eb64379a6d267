/**
 * {@code ./citybrain cluster}: the city as separate operating-system processes on one machine, as
 * production runs it (Mosquitto, three KRaft Kafka brokers, QuestDB, a Flink JobManager and two
 * TaskManagers, two bridges, alert dispatch), the jobs submitted as the production jar. Each child
 * can be stopped, killed and restarted with the same command, ports and data, as the chaos test
 * does; all of them stop with the supervisor, whatever ends it short of SIGKILL. A child that exits
 * unasked is reported and, under {@code ./citybrain cluster}, started again as Kubernetes would
 * ({@code ProcessWatcher}).
 */
package io.citybrain.deploy.cluster;
