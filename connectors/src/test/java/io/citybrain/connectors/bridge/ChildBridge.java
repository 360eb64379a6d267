package io.citybrain.connectors.bridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A bridge in a JVM of its own ({@link BridgeMain}), so that a test can kill it with SIGKILL. */
final class ChildBridge implements AutoCloseable {
  private final Process process;

  private ChildBridge(Process process) {
    this.process = process;
  }

  static ChildBridge start(BridgeSettings s, Path log) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-Dlog4j2.configurationFile=log4j2-test.properties",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dbridge.mqtt.url=" + s.mqttUrl(),
                    "-Dbridge.mqtt.client-id=" + s.clientId(),
                    "-Dbridge.kafka.bootstrap-servers=" + s.kafkaBootstrap(),
                    "-Dbridge.mqtt.subscription=" + s.subscription(),
                    "-Dbridge.max-in-flight=" + s.maxInFlight(),
                    "-Dbridge.mqtt.version=" + s.mqttVersion().key(),
                    "-Dbridge.max-reading-age=" + s.maxReadingAge(),
                    "-Dbridge.http.port=0",
                    "-Dbridge.http.host=127.0.0.1",
                    BridgeMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      append(log, line);
      if (line.startsWith("bridge ready")) {
        Thread drain = new Thread(() -> drain(out, log), "child-bridge-output");
        drain.setDaemon(true);
        drain.start();
        return new ChildBridge(p);
      }
    }
    throw new IllegalStateException(
        "the bridge process exited with " + p.waitFor(10, TimeUnit.SECONDS) + "; see " + log);
  }

  private static void drain(BufferedReader out, Path log) {
    try {
      String line;
      while ((line = out.readLine()) != null) {
        append(log, line);
      }
    } catch (IOException ignored) {
      // the process was killed
    }
  }

  private static void append(Path log, String line) {
    try {
      Files.writeString(
          log,
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: no flush, no acknowledgement, no DISCONNECT. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
