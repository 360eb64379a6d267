package io.citybrain.embedded;

import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The Moquette MQTT 3.1.1 broker in this JVM. Sessions and queued QoS 1 messages are persisted under
 * the data directory, so a device's or the bridge's persistent session survives a restart.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

  private final Server server;
  private final int port;

  private EmbeddedMqttBroker(Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * @param dataDir where sessions are persisted
   * @param port the MQTT TCP port, 0 for an ephemeral one
   */
  public static EmbeddedMqttBroker start(Path dataDir, int port) {
    int mqttPort = FreePorts.resolve(port);
    Properties p = new Properties();
    p.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
    p.setProperty(IConfig.PORT_PROPERTY_NAME, String.valueOf(mqttPort));
    p.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, "disabled");
    p.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
    p.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "true");
    p.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, dataDir.toAbsolutePath().toString());
    p.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
    // Payloads over the contract's 64 KiB must still reach the bridge, which dead-letters them.
    p.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, String.valueOf(16 * 1024 * 1024));
    p.setProperty(IConfig.SESSION_QUEUE_SIZE, "65536");
    Server server = new Server();
    try {
      Files.createDirectories(dataDir);
      server.startServer(new MemoryConfig(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the MQTT broker on port " + mqttPort, e);
    }
    return new EmbeddedMqttBroker(server, mqttPort);
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
