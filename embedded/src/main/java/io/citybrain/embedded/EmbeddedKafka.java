package io.citybrain.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one process), running
 * Kafka's own {@link KafkaRaftServer} in this JVM. Its log directory is formatted on first start
 * and reused afterwards, so topics and offsets survive a restart of the local city.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /**
   * The mechanisms the SASL listener takes: those of a Strimzi, MSK or Confluent Kafka with SCRAM.
   */
  public static final List<String> SCRAM_MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");

  private static final String SASL_LISTENER = "SASL_PLAINTEXT";

  private final KafkaRaftServer server;
  private final int port;

  /** The SASL listener's port, 0 when there is none. */
  private final int saslPort;

  private EmbeddedKafka(KafkaRaftServer server, int port, int saslPort) {
    this.server = server;
    this.port = port;
    this.saslPort = saslPort;
  }

  /**
   * Starts the broker.
   *
   * @param dataDir its log directory (created and formatted when empty)
   * @param port the client port, 0 for an ephemeral one
   * @param overrides broker settings that win over the defaults here (e.g. {@code
   *     log.retention.ms})
   */
  public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) {
    return start(dataDir, port, overrides, false);
  }

  /**
   * Starts a broker that also has a {@code SASL_PLAINTEXT} listener on an ephemeral port, taking
   * SCRAM-SHA-256 and SCRAM-SHA-512 ({@link #saslBootstrapServers()}), beside its plain one (which
   * stays the inter-broker listener and serves {@link #addScramUser}). Users are added at run time
   * through the admin API, as Strimzi's user operator does; no user exists at first.
   */
  public static EmbeddedKafka startWithSaslListener(Path dataDir, Map<String, String> overrides) {
    return start(dataDir, 0, overrides, true);
  }

  private static EmbeddedKafka start(
      Path dataDir, int port, Map<String, String> overrides, boolean sasl) {
    int clientPort = FreePorts.resolve(port);
    int saslPort = sasl ? FreePorts.resolve(0) : 0;
    int controllerPort = FreePorts.resolve(0);
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    // A static voter set: the controller port may change between runs of the same data directory.
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dataDir.toAbsolutePath().toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "4");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    if (sasl) {
      props.put(
          "listeners", props.get("listeners") + "," + SASL_LISTENER + "://127.0.0.1:" + saslPort);
      props.put(
          "advertised.listeners",
          props.get("advertised.listeners") + "," + SASL_LISTENER + "://127.0.0.1:" + saslPort);
      props.put(
          "listener.security.protocol.map",
          props.get("listener.security.protocol.map") + "," + SASL_LISTENER + ":" + SASL_LISTENER);
      props.put("sasl.enabled.mechanisms", String.join(",", SCRAM_MECHANISMS));
      // The broker side of SCRAM needs a JAAS entry per listener and mechanism, without options:
      // the credentials live in the cluster metadata.
      for (String mechanism : SCRAM_MECHANISMS) {
        props.put(
            "listener.name."
                + SASL_LISTENER.toLowerCase(Locale.ROOT)
                + "."
                + mechanism.toLowerCase(Locale.ROOT)
                + ".sasl.jaas.config",
            ScramLoginModule.class.getName() + " required;");
      }
    }
    props.putAll(commonSettings());
    props.putAll(overrides);
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        format(dataDir, props, Uuid.randomUuid().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data directory " + dataDir, e);
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, clientPort, saslPort);
  }

  /**
   * The settings every citybrain broker has, in this JVM or in a multi-node cluster: topics only as
   * the contract creates them, and room for dead letters that carry a device's oversized bytes.
   */
  public static Map<String, String> commonSettings() {
    Map<String, String> props = new HashMap<>();
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "2");
    // Devices may send up to 64 KiB; dead letters carry the raw bytes of larger ones too.
    props.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
    return props;
  }

  /**
   * Formats a KRaft log directory with Kafka's own storage tool, as {@code kafka-storage.sh format}
   * does; every node of one cluster is formatted with the same {@code clusterId}.
   *
   * @param props the node's settings ({@code log.dirs}, {@code node.id}, the quorum)
   */
  public static void format(Path dataDir, Map<String, String> props, String clusterId)
      throws IOException {
    Path configFile = dataDir.resolveSibling(dataDir.getFileName() + "-format.properties");
    Properties p = new Properties();
    p.putAll(props);
    try (OutputStream out = Files.newOutputStream(configFile)) {
      p.store(out, "written by citybrain to format the KRaft log directory");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc;
    try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {
                "format",
                "--config",
                configFile.toString(),
                "--cluster-id",
                clusterId,
                "--ignore-formatted"
              },
              ps);
    }
    Files.deleteIfExists(configFile);
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage in "
              + dataDir
              + " failed: "
              + log.toString(StandardCharsets.UTF_8));
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * The SASL listener ({@link #startWithSaslListener}); clients need {@code
   * security.protocol=SASL_PLAINTEXT}.
   */
  public String saslBootstrapServers() {
    if (saslPort == 0) {
      throw new IllegalStateException(
          "this broker has no SASL listener: start it with startWithSaslListener");
    }
    return "127.0.0.1:" + saslPort;
  }

  /**
   * Creates (or replaces) a SCRAM user through the admin API on the plain listener, and returns
   * once the broker lists the credential, so that a client may authenticate with it at once.
   *
   * @param mechanism {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
   */
  public void addScramUser(String mechanism, String user, String password) {
    ScramMechanism m = ScramMechanism.fromMechanismName(mechanism);
    if (m == ScramMechanism.UNKNOWN) {
      throw new IllegalArgumentException("not a SCRAM mechanism: " + mechanism);
    }
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(m, 4096), password)))
          .all()
          .get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!listed(admin, user, m)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the broker did not list the SCRAM user " + user + " within 30 s");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding SCRAM user " + user, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot add SCRAM user " + user + ": " + e.getMessage(), e);
    }
  }

  private static boolean listed(Admin admin, String user, ScramMechanism m)
      throws InterruptedException {
    try {
      return admin
          .describeUserScramCredentials(List.of(user))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(user)
          .credentialInfos()
          .stream()
          .anyMatch(c -> c.mechanism() == m);
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
