package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.testkit.MosquittoClients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, run as written against a running local city: the "More commands" block and
 * the "Try it by hand" block, each line in bash from the repository's root with the real launcher
 * and Debian's mosquitto-clients and curl. Only what must differ for a test that runs beside a
 * developer's own city is replaced: the city's ports (the test's city has ephemeral ones, so {@code
 * -p}, {@code --mqtt} and {@code --kafka} are added and {@code 127.0.0.1:9000} is moved) and {@code
 * /tmp/} (the test's own directory), plus the placeholders {@code <alertId from the alert>} (the id
 * the subscription received) and {@code <password from the start-up lines>} (the store's password
 * of this start, which the local city prints with its endpoints). A README edit that breaks a
 * command fails here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadmeCommandsITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Duration LINE_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path dir;
  private static LocalCity city;
  private static Path tmp;

  @BeforeAll
  static void startCity() throws Exception {
    boolean clients = MosquittoClients.available() && Files.isExecutable(Path.of("/usr/bin/curl"));
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(clients, "mosquitto-clients and curl are not installed");
    }
    assertThat(clients).as("mosquitto-clients and curl installed (.ci/run installs them)").isTrue();
    // The launcher builds when the sources are newer than its stamp. The reactor has just packaged
    // every jar its class path names (deploy/target/runtime-classpath.txt, written at package), so
    // the tree is built: say so, rather than let a nested Maven run inside this one.
    Path stamp = ROOT.resolve("deploy/target/.built");
    assertThat(ROOT.resolve("deploy/target/runtime-classpath.txt")).exists();
    Files.write(stamp, new byte[0]);
    Files.setLastModifiedTime(
        stamp, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    tmp = Files.createDirectories(dir.resolve("tmp"));
    // What `./citybrain local` runs (simulators included: the curl line wants rows), on ephemeral
    // ports.
    city =
        LocalCity.start(
            new LocalCity.Options.Builder()
                .dataDir(dir.resolve("data"))
                .ports(0, 0, 0, 0)
                .fresh(true)
                .consolePort(LocalCity.Options.NO_CONSOLE)
                .build(),
            step -> {});
  }

  @AfterAll
  static void stopCity() throws Exception {
    if (city != null) {
      city.close();
    }
  }

  @Test
  @Order(1)
  void everyMoreCommandsLineRunsAndEveryPlayEndsWithNothingFailed() throws Exception {
    List<String> lines = block("More commands:");
    assertThat(lines).as("the README's More commands block").hasSizeGreaterThanOrEqualTo(8);
    for (String line : lines) {
      String out = run(line);
      if (line.startsWith("./citybrain simulate") && !line.contains("--list-scenarios")) {
        assertThat(out)
            .as("output of %s", line)
            .containsPattern(
                "done in [0-9.]+ s: sent [1-9][0-9,]*, acknowledged [0-9,]+, failed 0\\b");
      }
    }
    assertThat(tmp.resolve("run.jsonl")).isNotEmptyFile();
    assertThat(tmp.resolve("devices.csv")).isNotEmptyFile();
    assertThat(tmp.resolve("city/city.json")).isNotEmptyFile();
  }

  @Test
  @Order(2)
  void theHandTryLinesRaiseAnAlertThatTheSubscriptionReceivesAndAcknowledges() throws Exception {
    List<String> lines = block("Try it by hand");
    String subLine = only(lines, "mosquitto_sub");
    String sosLine = only(lines, "mosquitto_pub -q 1 -t city/emergency/sos/");
    String ackLine = only(lines, "mosquitto_pub -q 1 -t \"city/ack/");
    String curlLine = only(lines, "curl ");

    List<String> received = new CopyOnWriteArrayList<>();
    Process sub =
        new ProcessBuilder("bash", "-c", adapt(subLine))
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  received.add(l);
                }
              } catch (IOException e) {
                // The process ended.
              }
            },
            "mosquitto_sub reader");
    reader.setDaemon(true);
    reader.start();
    try {
      // mosquitto_sub prints nothing once subscribed: give it a moment to be so before the SOS.
      Thread.sleep(2_000);
      assertThat(sub.isAlive()).as("mosquitto_sub still running; it printed %s", received).isTrue();
      run(sosLine);
      String[] alert = new String[1];
      await("an SOS alert at mosquitto_sub")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                alert[0] =
                    received.stream()
                        .filter(l -> l.startsWith("city/alerts/") && l.contains("\"sos"))
                        .findFirst()
                        .orElse(null);
                return alert[0] != null;
              });
      JsonNode raised = JSON.readTree(alert[0].substring(alert[0].indexOf(' ') + 1));
      String alertId = raised.path("alertId").asText();
      assertThat(alertId).isNotBlank();

      run(ackLine.replace("<alertId from the alert>", alertId));
      await("the acknowledged alert at mosquitto_sub")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  received.stream()
                      .anyMatch(
                          l ->
                              l.contains("\"" + alertId + "\"")
                                  && l.contains("\"acknowledged\"")
                                  && l.contains("\"me\"")));
    } finally {
      sub.destroy();
      sub.waitFor(10, TimeUnit.SECONDS);
    }

    // The README says "while it runs": the first traffic rows come about a minute after start.
    await("traffic_district rows")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(5))
        .until(() -> !city.store().query("SELECT * FROM traffic_district LIMIT 1").isEmpty());
    JsonNode rows = JSON.readTree(run(curlLine));
    assertThat(rows.path("count").asInt()).as("rows the curl line returned: %s", rows).isPositive();
  }

  /** The lines of the first bash block after the paragraph that starts with {@code marker}. */
  private static List<String> block(String marker) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int at = readme.indexOf("\n" + marker);
    assertThat(at).as("README paragraph '%s'", marker).isPositive();
    int start = readme.indexOf("```bash\n", at) + "```bash\n".length();
    int end = readme.indexOf("```", start);
    List<String> lines = new ArrayList<>();
    for (String l : readme.substring(start, end).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l.strip());
      }
    }
    return lines;
  }

  private static String only(List<String> lines, String prefix) {
    List<String> found = lines.stream().filter(l -> l.startsWith(prefix)).toList();
    assertThat(found).as("README lines starting with %s", prefix).hasSize(1);
    return found.get(0);
  }

  /** The line with the test city's ports and directory, without its trailing comment. */
  private static String adapt(String line) {
    String cmd = line.split("\\s{2,}#", 2)[0].strip().replace("/tmp/", tmp + "/");
    int mqttPort = URI.create(city.mqttUrl()).getPort();
    if (cmd.startsWith("./citybrain simulate")) {
      cmd += " --mqtt " + city.mqttUrl();
    } else if (cmd.startsWith("./citybrain city publish")) {
      cmd += " --kafka " + city.kafkaBootstrap();
    } else if (cmd.startsWith("mosquitto_")) {
      Matcher m = Pattern.compile("^(mosquitto_\\w+)").matcher(cmd);
      cmd = m.replaceFirst("$1 -p " + mqttPort);
    }
    // The store's password is random per start, printed with the endpoints; the line names it.
    String credentials =
        new String(
            java.util.Base64.getDecoder()
                .decode(city.store().authorization().substring("Basic ".length())),
            StandardCharsets.UTF_8);
    return cmd.replace("127.0.0.1:9000", "127.0.0.1:" + city.store().port())
        .replace("citybrain:<password from the start-up lines>", credentials);
  }

  /**
   * Runs one README line in bash from the repository's root; it must exit 0 (and print something).
   */
  private static String run(String line) throws Exception {
    String cmd = adapt(line);
    Path log = Files.createTempFile(dir, "line", ".out");
    Path errors = Files.createTempFile(dir, "line", ".err");
    Process p =
        new ProcessBuilder("bash", "-c", cmd)
            .directory(ROOT.toFile())
            .redirectOutput(log.toFile())
            .redirectError(errors.toFile())
            .start();
    boolean ended = p.waitFor(LINE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroyForcibly();
    }
    // Standard output alone is what the line yields (curl's progress meter goes to the error
    // stream).
    String out = Files.readString(log);
    String all = out + Files.readString(errors);
    assertThat(ended).as("'%s' ended within %s; it printed:%n%s", cmd, LINE_TIMEOUT, all).isTrue();
    assertThat(p.exitValue()).as("exit code of '%s'; it printed:%n%s", cmd, all).isZero();
    if (!cmd.startsWith("mosquitto_pub")) {
      // mosquitto_pub says nothing on success; its effect is checked where it lands.
      assertThat(out).as("output of '%s'", cmd).isNotBlank();
    }
    return out;
  }
}
