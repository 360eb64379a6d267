package io.citybrain.connectors.bridge;

import io.citybrain.embedded.EmbeddedMqttBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An MQTT broker the bridge tests run against: the embedded Moquette or a Mosquitto child process.
 * Both keep their sessions and queued messages across {@link #restart()} (same port, same data).
 */
public abstract class TestBroker implements AutoCloseable {

  /** The brokers every bridge test runs against. */
  public enum Kind {
    MOQUETTE,
    MOSQUITTO
  }

  public static TestBroker start(Kind kind, Path dir) {
    return kind == Kind.MOQUETTE
        ? new Moquette(dir)
        : new Mosquitto(dir, List.of("allow_anonymous true"));
  }

  public abstract String url();

  /** Stops the broker cleanly and starts it again on the same port and data. */
  public abstract void restart();

  @Override
  public abstract void close();

  /** Whether the broker supports {@code $share/<group>/<filter>} subscriptions. */
  public abstract boolean sharedSubscriptions();

  /**
   * Publications the broker refused for their topic's characters, when it counts them (Moquette);
   * else -1.
   */
  public long refusedTopics() {
    return -1;
  }

  /**
   * CPU time of the broker's own process so far (for benchmarks), or -1 when it runs in this JVM.
   */
  public long cpuNanos() {
    return -1;
  }

  static final class Moquette extends TestBroker {
    private final Path dir;
    private EmbeddedMqttBroker broker;

    Moquette(Path dir) {
      this.dir = dir;
      this.broker = EmbeddedMqttBroker.startAnonymous(dir, 0);
    }

    @Override
    public String url() {
      return broker.url();
    }

    @Override
    public void restart() {
      int port = broker.port();
      broker.close();
      broker = EmbeddedMqttBroker.startAnonymous(dir, port);
    }

    @Override
    public boolean sharedSubscriptions() {
      return false; // Moquette 0.17 has none
    }

    @Override
    public long refusedTopics() {
      return broker.refusedTopics();
    }

    @Override
    public void close() {
      broker.close();
    }

    @Override
    public String toString() {
      return "Moquette";
    }
  }

  /**
   * Debian's mosquitto 2 with a config of our own: an ephemeral port on 127.0.0.1, persistence in
   * the test's directory, no limit on queued messages (its default of 1000 drops QoS 1 messages for
   * a slow subscriber) and a large in-flight window, as a production broker for the bridge needs
   * too.
   */
  static final class Mosquitto extends TestBroker {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private final Path dir;
    private final int port;
    private Process process;

    /**
     * @param access the authentication lines of the config ({@code allow_anonymous}, {@code
     *     password_file})
     */
    Mosquitto(Path dir, List<String> access) {
      if (!Files.isExecutable(BINARY)) {
        throw new IllegalStateException(
            "mosquitto is not installed: apt-get install -y mosquitto (.ci/run does it)");
      }
      this.dir = dir;
      this.port = io.citybrain.embedded.FreePorts.resolve(0);
      try {
        Files.createDirectories(dir);
        List<String> conf =
            new ArrayList<>(
                List.of(
                    "listener " + port + " 127.0.0.1",
                    "user " + System.getProperty("user.name"),
                    "persistence true",
                    "persistence_location " + dir.toAbsolutePath() + "/",
                    "autosave_interval 5",
                    "max_queued_messages 0",
                    "max_queued_bytes 0",
                    "max_inflight_messages 1000",
                    "log_dest file " + dir.toAbsolutePath().resolve("mosquitto.log"),
                    "log_type error",
                    "log_type warning"));
        conf.addAll(access);
        Files.writeString(
            dir.resolve("mosquitto.conf"), String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      launch();
    }

    private void launch() {
      try {
        process =
            new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start mosquitto", e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return;
        } catch (IOException notYet) {
          if (!process.isAlive()) {
            throw new IllegalStateException(
                "mosquitto exited with "
                    + process.exitValue()
                    + "; see "
                    + dir.resolve("mosquitto.out"));
          }
          sleep(50);
        }
      }
      throw new IllegalStateException("mosquitto did not listen on " + port + " within 10 s");
    }

    @Override
    public String url() {
      return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void restart() {
      stop();
      launch();
    }

    @Override
    public boolean sharedSubscriptions() {
      return true;
    }

    // utime + stime of /proc/<pid>/stat, in clock ticks (100 per second on Linux)
    @Override
    public long cpuNanos() {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    private void stop() {
      process.destroy(); // SIGTERM: mosquitto saves its persistence file on the way out
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }

    @Override
    public String toString() {
      return "Mosquitto";
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
