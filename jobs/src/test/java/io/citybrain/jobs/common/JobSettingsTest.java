package io.citybrain.jobs.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.influx.SinkTuning;
import java.time.Duration;
import java.util.List;
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
    assertThat(s.toBuilder().cityPackage("/tmp/city").build().sinkTuning())
        .isEqualTo(s.sinkTuning());
  }

  @Test
  void theBuilderStartsFromTheDefaultsOfTheArguments() {
    JobSettings fromArgs =
        JobSettings.fromArgs(
            new String[] {
              "--kafka.bootstrap-servers",
              "k:9092",
              "--influx.url",
              "http://i:8086",
              "--influx.token",
              "t"
            },
            Map.of());
    assertThat(JobSettings.builder("k:9092", fromArgs.influx()).build()).isEqualTo(fromArgs);
    assertThat(fromArgs.toBuilder().parallelism(3).build())
        .isEqualTo(
            JobSettings.fromArgs(
                new String[] {
                  "--kafka.bootstrap-servers", "k:9092",
                  "--influx.url", "http://i:8086",
                  "--influx.token", "t",
                  "--parallelism", "3"
                },
                Map.of()));
  }

  @Test
  void aWrongSinkValueIsNamed() {
    assertThatThrownBy(
            () -> JobSettings.fromArgs(concat(REQUIRED, "--influx.batch-size", "lots"), Map.of()))
        .hasMessage("influx.batch-size must be a whole number, got 'lots'");
    assertThatThrownBy(
            () -> JobSettings.fromArgs(concat(REQUIRED, "--influx.batch-size", "0"), Map.of()))
        .hasMessage("influx.batch-size must be within 1..100000, got 0");
    // 2^32 + 1 used to wrap round to 1, which passed the range check.
    assertThatThrownBy(
            () ->
                JobSettings.fromArgs(
                    concat(REQUIRED, "--influx.batch-size", "4294967297"), Map.of()))
        .hasMessage("influx.batch-size is out of range, got 4294967297");
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

  @Test
  void aKeyNoJobReadsStopsStartUpNamingTheClosestKnownOne() {
    assertThatThrownBy(
            () ->
                JobSettings.refuseUnknown(
                    concat(REQUIRED, "--watermark.idlenes", "30"), List.of(), List.of()))
        .hasMessage(
            "unknown setting watermark.idlenes (did you mean watermark.idleness?);"
                + " the keys are listed in README.md, \"Configuration\"");
    // Every unknown key at once, and one with nothing near it is named alone.
    assertThatThrownBy(
            () ->
                JobSettings.refuseUnknown(
                    concat(REQUIRED, "--influx.bucket-name", "b", "--colour", "blue"),
                    List.of(),
                    List.of()))
        .hasMessageStartingWith(
            "unknown setting colour, influx.bucket-name (did you mean influx.bucket?);");
    // A key cut short points to the key it starts.
    assertThatThrownBy(
            () ->
                JobSettings.refuseUnknown(
                    concat(REQUIRED, "--kafka.bootstrap", "k:9092"), List.of(), List.of()))
        .hasMessageStartingWith(
            "unknown setting kafka.bootstrap (did you mean kafka.bootstrap-servers?)");
  }

  @Test
  void aJobChecksItsOwnFamilyAndLeavesTheOthersToTheirJobs() {
    // One argument list may serve every job: the utility job's keys are the utility job's to check.
    JobSettings.refuseUnknown(
        concat(REQUIRED, "--utility.nominal-voltage", "230", "--emergency.cooldown", "60"),
        List.of(),
        List.of());
    assertThatThrownBy(
            () ->
                JobSettings.refuseUnknown(
                    concat(
                        REQUIRED,
                        "--emergency.cooldwon",
                        "60",
                        "--emergency.ticket-deadline.x",
                        "1"),
                    List.of("emergency.cooldown"),
                    List.of("emergency.ticket-deadline.")))
        .hasMessageStartingWith(
            "unknown setting emergency.cooldwon (did you mean emergency.cooldown?);");
    // Kafka's secret keys are known here, so that KafkaSecurity refuses them naming the variable.
    JobSettings.refuseUnknown(concat(REQUIRED, "--kafka.sasl.password", "p"), List.of(), List.of());
  }

  @Test
  void aWrongWholeNumberIsNamed() {
    assertThatThrownBy(
            () -> JobSettings.fromArgs(concat(REQUIRED, "--parallelism", "two"), Map.of()))
        .hasMessage("parallelism must be a whole number, got 'two'");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(REQUIRED, "--parallelism", "0"), Map.of()))
        .hasMessage("parallelism must be within 1..32768, got 0");
    assertThatThrownBy(() -> JobSettings.fromArgs(concat(REQUIRED, "--city.seed", "4.2"), Map.of()))
        .hasMessage("city.seed must be a whole number, got '4.2'");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
