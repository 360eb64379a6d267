package io.citybrain.deploy.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The influxd child process's configuration and the rule for a machine without influxd. */
class InfluxDTest {

  @Test
  void everyListenerIsOnAnEphemeralLoopbackPortOrOff() {
    String conf = InfluxD.config(Path.of("/tmp/x"));
    Matcher binds = Pattern.compile("bind-address = \"([^\"]*)\"").matcher(conf);
    int count = 0;
    while (binds.find()) {
      assertThat(binds.group(1)).isEqualTo("127.0.0.1:0");
      count++;
    }
    assertThat(count).as("meta RPC and HTTP").isEqualTo(2);
    assertThat(conf)
        .contains("reporting-disabled = true", "reporting-enabled = false")
        .contains(
            "[monitor]\n  store-enabled = false",
            "[continuous_queries]\n  enabled = false",
            "[subscriber]\n  enabled = false",
            "[ifql]\n  enabled = false")
        .contains("dir = \"/tmp/x/meta\"", "dir = \"/tmp/x/data\"", "wal-dir = \"/tmp/x/wal\"")
        .doesNotContain("/var/lib/influxdb", "8086", "8088");
  }

  @Test
  void withoutInfluxdTheQueryTestSkipsOutsideCiAndFailsInCi() {
    assertThatThrownBy(() -> GrafanaQueriesITCase.requireInfluxd(Optional.empty(), null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("apt-get install -y influxdb");
    assertThatThrownBy(() -> GrafanaQueriesITCase.requireInfluxd(Optional.empty(), "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CI=true");
    assertThat(
            GrafanaQueriesITCase.requireInfluxd(Optional.of(Path.of("/usr/bin/influxd")), "true"))
        .isEqualTo(Path.of("/usr/bin/influxd"));
  }
}
