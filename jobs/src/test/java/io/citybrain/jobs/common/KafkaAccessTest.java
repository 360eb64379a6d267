package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.kafka.KafkaAccess;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.jobs.utility.UtilityJob;
import org.junit.jupiter.api.Test;

/**
 * The jobs' consumer groups are named after the jobs, and the jobs' Kafka user may read exactly
 * those groups ({@link KafkaAccess} cannot see the jobs module): renaming a job without its grant
 * would leave it unable to commit offsets on an authorizing Kafka.
 */
class KafkaAccessTest {

  @Test
  void theJobsGroupGrantsAreTheJobsNames() {
    assertThat(KafkaAccess.JOB_GROUP_PREFIXES)
        .containsExactly(TrafficJob.NAME, UtilityJob.NAME, EmergencyJob.NAME);
  }
}
