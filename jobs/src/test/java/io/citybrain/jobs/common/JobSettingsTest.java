package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.influx.SinkTuning;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documented sink keys are read (issue 19: docs/egress.md named them and nothing read them).
 */
class JobSettingsTest {

  private static final String[] REQUIRED = {
    "--kafka.bootstrap-servers", "k:9092", "--influx.url", "http://i:8086", "--influx.token", "t"
  };

  @Test
  void theSinkKeysAreReadAndDefaultWhenAbsent() {
    assertThat(JobSettings.fromArgs(REQUIRED, Map.of()).sinkTuning())
        .isEqualTo(SinkTuning.DEFAULTS);
    JobSettings s =
        JobSettings.fromArgs(
            concat(
                REQUIRED,
                "--influx.batch-size",
                "500",
                "--influx.flush-interval",
                "0.25",
                "--influx.max-retries",
                "3",
                "--influx.request-timeout",
                "30"),
            Map.of());
    assertThat(s.sinkTuning())
        .isEqualTo(new SinkTuning(500, Duration.ofMillis(250), 3, Duration.ofSeconds(30)));
    assertThat(s.withCityPackage("/tmp/city").sinkTuning()).isEqualTo(s.sinkTuning());
  }

  @Test
  void aWrongSinkValueIsNamed() {
    assertThatThrownBy(
            () -> JobSettings.fromArgs(concat(REQUIRED, "--influx.batch-size", "lots"), Map.of()))
        .hasMessage("influx.batch-size must be a whole number, got 'lots'");
    assertThatThrownBy(
            () -> JobSettings.fromArgs(concat(REQUIRED, "--influx.batch-size", "0"), Map.of()))
        .hasMessage("influx.batch-size must be within 1..100000, got 0");
    assertThatThrownBy(
            () ->
                JobSettings.fromArgs(concat(REQUIRED, "--influx.flush-interval", "120"), Map.of()))
        .hasMessage("influx.flush-interval must be within 10ms..1min, got PT2M");
    assertThatThrownBy(
            () ->
                JobSettings.fromArgs(
                    concat(REQUIRED, "--influx.request-timeout", "soon"), Map.of()))
        .hasMessage("influx.request-timeout must be a number of seconds, got 'soon'");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
