package io.citybrain.connectors.kafka;

import io.citybrain.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Least privilege on a Kafka with authorization: what each kind of citybrain client may do, and
 * nothing more. One definition for every place that grants access: the Strimzi {@code KafkaUser}s
 * of deploy/kubernetes/kafka/users.yaml (KubernetesManifestsTest compares them with this class),
 * and {@link #bindings} for a Kafka administered through the admin API or {@code kafka-acls.sh}
 * (KafkaSecurityITCase runs the bridge and a job under exactly these grants, and shows the bridge's
 * user refused on {@code city.alerts}).
 *
 * <p>Read and Write imply Describe in Kafka; Describe is listed anyway, as kafka-acls.sh's {@code
 * --producer}/{@code --consumer} shortcuts and Strimzi's examples do, so each grant reads on its
 * own. No client gets Create, Delete, Alter or any cluster operation: topics are the operator's
 * (Strimzi's topic operator, {@code ContractTopics}).
 */
public final class KafkaAccess {
  private KafkaAccess() {}

  /** One allowed set of operations on a resource name (literal) or name prefix. */
  public record Grant(
      ResourceType type, String name, PatternType pattern, Set<AclOperation> operations) {
    public Grant {
      operations = Set.copyOf(operations);
    }

    static Grant writeTopic(String name, PatternType pattern) {
      return new Grant(
          ResourceType.TOPIC, name, pattern, Set.of(AclOperation.WRITE, AclOperation.DESCRIBE));
    }

    static Grant readTopic(String name, PatternType pattern) {
      return new Grant(
          ResourceType.TOPIC, name, pattern, Set.of(AclOperation.READ, AclOperation.DESCRIBE));
    }

    static Grant group(String name, PatternType pattern) {
      return new Grant(ResourceType.GROUP, name, pattern, Set.of(AclOperation.READ));
    }
  }

  /** The kinds of client, each with the Kafka user name it has on Kubernetes. */
  public enum Client {
    /** The MQTT bridge: writes readings, acknowledgements and dead letters; reads nothing. */
    BRIDGE("citybrain-bridge-kafka"),
    /**
     * The three Flink jobs: read the raw topics, acknowledgements and geography in their consumer
     * groups ({@code citybrain-traffic}, {@code citybrain-utility}, {@code citybrain-emergency},
     * each also with {@code -geography} and {@code -acks} suffixes), write alerts and dead letters.
     */
    JOBS("citybrain-jobs-kafka"),
    /**
     * Alert dispatch: reads alerts in its group, writes dead letters (webhook-failed, store-failed,
     * bad-alert).
     */
    DISPATCH("citybrain-dispatch-kafka"),
    /** {@code ./citybrain city publish}: writes a geography layer, nothing else. */
    GEOGRAPHY_PUBLISHER("citybrain-geography-kafka"),
    /**
     * The live console: reads alerts, without a consumer group (each console reads the whole topic
     * and commits nothing); its acknowledgements go over MQTT, not Kafka.
     */
    CONSOLE("citybrain-console-kafka");

    private final String user;

    Client(String user) {
      this.user = user;
    }

    /** The Kafka user name (the Strimzi KafkaUser's name, principal {@code User:<name>}). */
    public String user() {
      return user;
    }
  }

  /** The consumer group prefixes of the jobs: each job's name ({@code TrafficJob.NAME}, ...). */
  public static final List<String> JOB_GROUP_PREFIXES =
      List.of("citybrain-traffic", "citybrain-utility", "citybrain-emergency");

  /** Alert dispatch's consumer group ({@code AlertDispatcher}). */
  public static final String DISPATCH_GROUP = "citybrain-alert-dispatch";

  /** What {@code client} may do. */
  public static List<Grant> grants(Client client) {
    List<Grant> g = new ArrayList<>();
    switch (client) {
      case BRIDGE -> {
        g.add(Grant.writeTopic(Topics.RAW_PREFIX, PatternType.PREFIXED));
        g.add(Grant.writeTopic(Topics.ACKS, PatternType.LITERAL));
        g.add(Grant.writeTopic(Topics.DEADLETTER, PatternType.LITERAL));
      }
      case JOBS -> {
        g.add(Grant.readTopic(Topics.RAW_PREFIX, PatternType.PREFIXED));
        g.add(Grant.readTopic(Topics.ACKS, PatternType.LITERAL));
        g.add(Grant.readTopic(Topics.GEOGRAPHY, PatternType.LITERAL));
        g.add(Grant.writeTopic(Topics.ALERTS, PatternType.LITERAL));
        g.add(Grant.writeTopic(Topics.DEADLETTER, PatternType.LITERAL));
        for (String prefix : JOB_GROUP_PREFIXES) {
          g.add(Grant.group(prefix, PatternType.PREFIXED));
        }
      }
      case DISPATCH -> {
        g.add(Grant.readTopic(Topics.ALERTS, PatternType.LITERAL));
        g.add(Grant.writeTopic(Topics.ALERTS_LATEST, PatternType.LITERAL));
        g.add(Grant.writeTopic(Topics.DEADLETTER, PatternType.LITERAL));
        g.add(Grant.group(DISPATCH_GROUP, PatternType.LITERAL));
      }
      case GEOGRAPHY_PUBLISHER -> g.add(Grant.writeTopic(Topics.GEOGRAPHY, PatternType.LITERAL));
      case CONSOLE -> g.add(Grant.readTopic(Topics.ALERTS, PatternType.LITERAL));
      default -> throw new IllegalArgumentException("no grants for " + client);
    }
    return List.copyOf(g);
  }

  /**
   * {@link #grants} as ACL bindings allowing user {@code user} from any host, for {@code
   * Admin.createAcls}.
   */
  public static List<AclBinding> bindings(Client client, String user) {
    List<AclBinding> out = new ArrayList<>();
    for (Grant g : grants(client)) {
      for (AclOperation op : g.operations()) {
        out.add(
            new AclBinding(
                new ResourcePattern(g.type(), g.name(), g.pattern()),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
      }
    }
    return out;
  }
}
