package io.citybrain.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code mosquitto_pub} and {@code mosquitto_sub} with their defaults, as a stranger runs
 * them against our brokers: the README's commands, a forger's publication, a topic Paho refuses to
 * encode. Each publication waits for the client to exit and fails the test if it has not within 30
 * s.
 */
public final class MosquittoClients {
  private static final Path PUB = Path.of("/usr/bin/mosquitto_pub");
  private static final Path SUB = Path.of("/usr/bin/mosquitto_sub");
  private static final long TIMEOUT_S = 30;

  private MosquittoClients() {}

  /** What a client printed (stdout and stderr) and its exit status. */
  public record Run(int exit, String output) {}

  /**
   * Whether the clients are installed; under CI ({@code CI} set), which installs them ({@code
   * .ci/run}), their absence fails the test instead of skipping it.
   */
  public static boolean available() {
    boolean installed = Files.isExecutable(PUB) && Files.isExecutable(SUB);
    if (!installed && System.getenv("CI") != null) {
      throw new AssertionError(
          "mosquitto-clients (mosquitto_pub, mosquitto_sub) not installed; .ci/run installs them");
    }
    return installed;
  }

  /** {@code mosquitto_pub} with {@code args}, to its exit. */
  public static Run pub(String... args) {
    List<String> command = new ArrayList<>(List.of("mosquitto_pub"));
    command.addAll(List.of(args));
    return run(command);
  }

  /**
   * {@code mosquitto_pub -p port -t topic -m payload} with the topic's exact bytes, which need not
   * be valid UTF-8 nor encodable in this JVM's locale: they reach the client through the shell's
   * {@code printf}.
   */
  public static Run pubRawTopic(int port, byte[] topic, String payload) {
    StringBuilder octal = new StringBuilder();
    for (byte b : topic) {
      octal.append(String.format("\\%03o", b & 0xff));
    }
    String script =
        "mosquitto_pub -p "
            + port
            + " -t \"$(printf '"
            + octal
            + "')\" -m '"
            + payload.replace("'", "'\\''")
            + "'";
    return run(List.of("bash", "-c", script));
  }

  /** {@code mosquitto_sub} with {@code args}, running; its output merges stdout and stderr. */
  public static Process sub(String... args) {
    List<String> command = new ArrayList<>(List.of("mosquitto_sub"));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Run run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command.get(0) + " did not finish in " + TIMEOUT_S + " s");
      }
      return new Run(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + command.get(0) + " ran", e);
    }
  }
}
