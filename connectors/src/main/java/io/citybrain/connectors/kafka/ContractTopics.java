package io.citybrain.connectors.kafka;

import io.citybrain.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the contract's topics with the settings the contract requires of them ({@link
 * Topics#configOf}), for the local and the multi-process city alike. Before this, each created its
 * own list, and the multi-process city's {@code city.geography} was neither compacted nor able to
 * take a 16 MiB layer. Production creates them from {@code deploy/kubernetes/kafka/topics.yaml},
 * which {@code KubernetesManifestsTest} checks against the same settings.
 */
public final class ContractTopics {
  private ContractTopics() {}

  /**
   * Creates every topic of {@link Topics#ALL} that does not exist yet; existing ones are left as
   * they are (a restart keeps its data).
   *
   * @param partitions partitions per topic name (the contract fixes one for {@code city.geography})
   */
  public static void create(String bootstrap, ToIntFunction<String> partitions, short replication)
      throws InterruptedException, ExecutionException {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                120_000))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String t : Topics.ALL) {
        int n = t.equals(Topics.GEOGRAPHY) ? 1 : partitions.applyAsInt(t);
        topics.add(new NewTopic(t, n, replication).configs(Topics.configOf(t)));
      }
      for (var e : admin.createTopics(topics).values().entrySet()) {
        try {
          e.getValue().get();
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
        }
      }
    }
  }
}
