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
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one process), running
 * Kafka's own {@link KafkaRaftServer} in this JVM. Its log directory is formatted on first start and
 * reused afterwards, so topics and offsets survive a restart of the local city.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private final KafkaRaftServer server;
  private final int port;

  private EmbeddedKafka(KafkaRaftServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts the broker.
   *
   * @param dataDir its log directory (created and formatted when empty)
   * @param port the client port, 0 for an ephemeral one
   * @param overrides broker settings that win over the defaults here (e.g. {@code log.retention.ms})
   */
  public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) {
    int clientPort = FreePorts.resolve(port);
    int controllerPort = FreePorts.resolve(0);
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    // A static voter set: the controller port may change between runs of the same data directory.
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
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
    return new EmbeddedKafka(server, clientPort);
  }

  /**
   * The settings every citybrain broker has, in this JVM or in a multi-node cluster: topics only
   * as the contract creates them, and room for dead letters that carry a device's oversized bytes.
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
  public static void format(Path dataDir, Map<String, String> props, String clusterId) throws IOException {
    Path configFile = dataDir.resolveSibling(dataDir.getFileName() + "-format.properties");
    Properties p = new Properties();
    p.putAll(props);
    try (OutputStream out = Files.newOutputStream(configFile)) {
      p.store(out, "written by citybrain to format the KRaft log directory");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc;
    try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(new String[] {"format", "--config", configFile.toString(),
          "--cluster-id", clusterId, "--ignore-formatted"}, ps);
    }
    Files.deleteIfExists(configFile);
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage in " + dataDir + " failed: " + log.toString(StandardCharsets.UTF_8));
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
