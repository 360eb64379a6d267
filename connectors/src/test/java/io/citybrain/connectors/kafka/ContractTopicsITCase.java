package io.citybrain.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract's topics as the local and the multi-process city create them, read back from a real
 * broker.
 */
class ContractTopicsITCase {

  @TempDir Path dir;

  @Test
  void everyTopicIsCreatedWithTheSettingsTheContractRequiresAndASecondRunChangesNothing()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of())) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 3, (short) 1);
      ContractTopics.create(kafka.bootstrapServers(), t -> 5, (short) 1);
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        var described = admin.describeTopics(Topics.ALL).allTopicNames().get();
        assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        described.forEach(
            (name, d) ->
                assertThat(d.partitions()).as(name).hasSize(name.equals(Topics.GEOGRAPHY) ? 1 : 3));
        ConfigResource geography = new ConfigResource(ConfigResource.Type.TOPIC, Topics.GEOGRAPHY);
        Config config = admin.describeConfigs(List.of(geography)).all().get().get(geography);
        Topics.configOf(Topics.GEOGRAPHY)
            .forEach((key, value) -> assertThat(config.get(key).value()).as(key).isEqualTo(value));
      }
    }
  }
}
