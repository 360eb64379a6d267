package io.citybrain.deploy.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting rules of deploy/prometheus with Prometheus's own tool (Debian's {@code prometheus}
 * package, which .ci/run installs): every expression parses, and the unit tests of
 * citybrain-alerts.test.yaml fire and stay quiet where they should. A broken rule file fails here,
 * as promtool would fail a rollout.
 */
class PrometheusRulesTest {

  static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  static final Path DIR = Path.of("prometheus");

  @BeforeAll
  static void promtoolIsThere() {
    boolean installed = Files.isExecutable(PROMTOOL);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed, "promtool is not installed (apt-get install prometheus)");
    }
    assertThat(installed).as("promtool installed (.ci/run installs prometheus)").isTrue();
  }

  static String promtool(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void theRulesParseAndTheirUnitTestsPass() throws Exception {
    assertThat(promtool(DIR, "check", "rules", "citybrain-alerts.yaml")).contains("SUCCESS");
    assertThat(promtool(DIR, "test", "rules", "citybrain-alerts.test.yaml")).contains("SUCCESS");
  }

  @Test
  void aBrokenExpressionFails(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("broken.yaml"),
        Files.readString(DIR.resolve("citybrain-alerts.yaml"))
            .replace(
                "min by (instance) (citybrain_bridge_subscribed) == 0",
                "min by (instance (citybrain_bridge_subscribed) == 0"));
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "check", "rules", "broken.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isNotZero();
  }
}
