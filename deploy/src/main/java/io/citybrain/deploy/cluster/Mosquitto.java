package io.citybrain.deploy.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's Mosquitto as a child process, configured as every citybrain broker on this machine runs
 * it ({@code ./citybrain cluster}, and {@code ./citybrain local --broker mosquitto}): the listeners
 * its caller chooses, then persistence, unbounded queues for a subscriber that is away, a wide
 * in-flight window, and the log lines an operator follows a session by.
 */
public final class Mosquitto {
  public static final String BINARY = "/usr/sbin/mosquitto";

  private Mosquitto() {}

  /**
   * Stops the command, naming what to install, when Debian's mosquitto is not on this machine.
   *
   * @throws IllegalArgumentException naming {@code who} (a part, or the option that asked for it)
   */
  public static void requireInstalled(String who) {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new IllegalArgumentException(
          who
              + " is Debian's mosquitto, and "
              + BINARY
              + " is missing: apt-get install -y mosquitto (.ci/run does it)");
    }
  }

  /**
   * A broker listening as {@code listeners} say, its data, configuration and log in {@code dir},
   * ready once {@code port} answers. Not started: {@link ChildProcess#start()}.
   */
  public static ChildProcess process(Path dir, List<String> listeners, int port, Path log)
      throws IOException {
    Files.createDirectories(dir);
    List<String> conf = new ArrayList<>(listeners);
    conf.addAll(
        List.of(
            "persistence true",
            "persistence_location " + dir + "/",
            "autosave_interval 5",
            // A bridge instance that is down keeps its session: its messages wait for it,
            // unbounded.
            "max_queued_messages 0",
            "max_queued_bytes 0",
            // The bridge acknowledges a message only once Kafka has it, so its throughput is this
            // window over Kafka's round trip (Moquette's fixed window of 10 is what bounds the
            // embedded broker; issue 22).
            "max_inflight_messages 1000",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            // Connections, disconnections and "Outgoing messages are being dropped": what an
            // operator (and the chaos test, on a loss) needs to follow a session.
            "log_type notice",
            // Started by root (a CI container), Mosquitto would become the user "mosquitto" before
            // it reads the password files this process wrote; started by anyone else, this changes
            // nothing.
            "user " + System.getProperty("user.name")));
    Path file = dir.resolve("mosquitto.conf");
    Files.writeString(file, String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
    return new ChildProcess(
        "mosquitto",
        List.of(BINARY, "-c", file.toString()),
        Map.of(),
        log,
        ChildProcess.Ready.listening(port),
        Duration.ofSeconds(20));
  }
}
