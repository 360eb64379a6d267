package io.citybrain.jobs.common;

import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.contract.Topics;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What the jobs' ITCases share to run a job on a MiniCluster against an embedded Kafka, with
 * collecting sinks in place of the store's.
 */
public final class TestJobs {
  private TestJobs() {}

  /** The store of a job whose store sinks are collecting ones: never written to. */
  public static final InfluxSettings NO_STORE = new InfluxSettings("http://unused", "o", "b", "t");

  /** Settings on Kafka at {@code bootstrap}, {@link #NO_STORE}, defaults otherwise. */
  public static JobSettings.Builder settings(String bootstrap) {
    return JobSettings.builder(bootstrap, NO_STORE);
  }

  /**
   * A MiniCluster environment of {@code parallelism}; from {@code savepoint} when given, refusing
   * state no operator claims (as an operator's {@code flink run -s} without {@code
   * --allowNonRestoredState} does).
   */
  public static StreamExecutionEnvironment local(int parallelism, String savepoint) {
    return local(parallelism, savepoint, "hashmap");
  }

  /**
   * The same on {@code backend}: {@code hashmap} (the local city's and the tests' default) or
   * {@code rocksdb} (production's, deploy/kubernetes/flink).
   */
  public static StreamExecutionEnvironment local(
      int parallelism, String savepoint, String backend) {
    Configuration conf = new Configuration();
    conf.set(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND, backend);
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
      conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
    }
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
  }

  /**
   * {@code rawTopics} with {@code partitions} each, kept forever (the tests replay event times far
   * in the past, which a retention by time would delete at once), {@code city.acks}, and {@code
   * city.geography} with the contract's settings.
   */
  public static void createTopics(String bootstrap, int partitions, String... rawTopics)
      throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<NewTopic> topics = new java.util.ArrayList<>();
      for (String t : rawTopics) {
        topics.add(new NewTopic(t, partitions, (short) 1).configs(Map.of("retention.ms", "-1")));
      }
      topics.add(new NewTopic(Topics.ACKS, 1, (short) 1));
      topics.add(new NewTopic(Topics.GEOGRAPHY, 1, (short) 1).configs(Topics.GEOGRAPHY_CONFIG));
      admin.createTopics(topics).all().get();
    }
  }
}
