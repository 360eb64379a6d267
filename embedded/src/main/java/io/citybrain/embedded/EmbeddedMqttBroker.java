package io.citybrain.embedded;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Moquette MQTT 3.1.1 broker in this JVM. Sessions and queued QoS 1 messages are persisted
 * under the data directory, so a device's or the bridge's persistent session survives a restart.
 *
 * <p>Authentication is required unless the caller opts out: {@link #start} takes the accounts,
 * {@link #startAnonymous} is the explicit (and logged) exception for the local city and tests.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMqttBroker.class);

  private final Server server;
  private final int port;
  private final TopicGuard guard;

  private EmbeddedMqttBroker(Server server, int port, TopicGuard guard) {
    this.server = server;
    this.port = port;
    this.guard = guard;
  }

  /**
   * Publications refused for a topic holding a control character, a noncharacter or malformed UTF-8
   * ({@link TopicGuard}).
   */
  public long refusedTopics() {
    return guard.refused();
  }

  /**
   * A broker that refuses clients without valid credentials and checks every subscription and
   * publication against {@code users} (see {@link MqttUsers} for the roles). A refused subscription
   * gets the failure code in its SUBACK; a refused publication is dropped. This is the default:
   * anonymous access needs the explicit {@link #startAnonymous}.
   *
   * @param dataDir where sessions are persisted
   * @param port the MQTT TCP port, 0 for an ephemeral one
   * @param users who may connect and do what; required
   */
  public static EmbeddedMqttBroker start(Path dataDir, int port, MqttUsers users) {
    if (users == null) {
      throw new IllegalArgumentException(
          "the MQTT broker requires authentication: give it users (mqtt.users), "
              + "or call EmbeddedMqttBroker.startAnonymous for a broker anyone may use");
    }
    return launch(dataDir, port, users);
  }

  /**
   * A broker that lets anyone connect, subscribe and publish: only for the laptop's {@code
   * ./citybrain local} and tests, where anonymous simulated devices talk to it. Logs a warning so
   * that an anonymous broker is never started unnoticed.
   */
  public static EmbeddedMqttBroker startAnonymous(Path dataDir, int port) {
    EmbeddedMqttBroker broker = launch(dataDir, port, null);
    LOG.warn(
        "MQTT broker on {} allows ANONYMOUS access: anyone who reaches the port may publish and subscribe",
        broker.url());
    return broker;
  }

  /**
   * The largest packet the broker takes: the contract's 64 KiB payload plus the longest topic MQTT
   * allows (65,535 bytes) and headers. It was 16 MiB (issue 23: unbounded). A payload between 64
   * KiB and this still reaches the bridge, which dead-letters it {@code too-large} with its bytes;
   * a bigger packet is refused by the broker, which closes the publisher's connection.
   */
  public static final int MAX_PACKET_BYTES = 64 * 1024 + 65_535 + 1_024;

  private static EmbeddedMqttBroker launch(Path dataDir, int port, MqttUsers users) {
    int mqttPort = FreePorts.resolve(port);
    Properties p = new Properties();
    p.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
    p.setProperty(IConfig.PORT_PROPERTY_NAME, String.valueOf(mqttPort));
    p.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, "disabled");
    p.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, String.valueOf(users == null));
    p.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "true");
    p.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, dataDir.toAbsolutePath().toString());
    p.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
    p.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, String.valueOf(MAX_PACKET_BYTES));
    // The bridge's backlog: its persistent session queues what arrives while it is down or while
    // Kafka is slow (it acknowledges only after Kafka). 65,536 messages is about a minute of a
    // city of 100,000 devices, or an hour of the local city's 2,000; beyond it Moquette drops.
    p.setProperty(IConfig.SESSION_QUEUE_SIZE, "65536");
    // MQTT 3.1.1 (3.1.3-6) lets a clean-session client leave its id empty for the broker to assign,
    // and Debian's mosquitto_pub/mosquitto_sub do so by default; Moquette refuses it unless told.
    // An empty id with a persistent session stays refused (3.1.3-8): Moquette checks that itself.
    p.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
    Server server = new Server();
    TopicGuard guard = new TopicGuard(users);
    try {
      Files.createDirectories(dataDir);
      // A null authenticator leaves Moquette's own: anonymous access as configured above.
      server.startServer(new MemoryConfig(p), List.of(), null, users, guard);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the MQTT broker on port " + mqttPort, e);
    }
    return new EmbeddedMqttBroker(server, mqttPort, guard);
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.stopServer();
  }
}
