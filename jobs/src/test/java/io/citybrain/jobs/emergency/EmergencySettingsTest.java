package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmergencySettingsTest {

  @Test
  void withoutArgumentsTheDefaultsOfTheArchitectureApply() {
    EmergencySettings s = EmergencySettings.fromArgs(new String[0]);
    assertThat(s).isEqualTo(EmergencySettings.defaults());
    assertThat(s.escalateAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.floodWarningCm()).isEqualTo(15);
    assertThat(s.floodCriticalCm()).isEqualTo(30);
    assertThat(s.deadlineOf("water")).isEqualTo(Duration.ofHours(24));
    assertThat(s.deadlineOf("graffiti")).isEqualTo(Duration.ofHours(72));
  }

  @Test
  void everyKeyOverridesItsDefault() {
    EmergencySettings s =
        EmergencySettings.fromArgs(
            new String[] {
              "--emergency.escalate-after",
              "120",
              "--emergency.renotify-every",
              "30",
              "--emergency.fire-window",
              "90",
              "--emergency.quiet-to-resolve",
              "600.5",
              "--emergency.flood-warning-cm",
              "10",
              "--emergency.flood-critical-cm",
              "25",
              "--emergency.ticket-deadline.water",
              "3600",
              "--emergency.ticket-deadline.parking",
              "7200",
              "--emergency.ticket-deadline.default",
              "86400",
              "--emergency.area-interval",
              "30",
              "--emergency.cooldown",
              "900"
            });
    assertThat(s.escalateAfter()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.renotifyEvery()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.fireWindow()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.quietToResolve()).isEqualTo(Duration.ofMillis(600_500));
    assertThat(s.floodWarningCm()).isEqualTo(10);
    assertThat(s.floodCriticalCm()).isEqualTo(25);
    assertThat(s.deadlineOf("water")).isEqualTo(Duration.ofHours(1));
    assertThat(s.deadlineOf("parking"))
        .as("a category the defaults do not know")
        .isEqualTo(Duration.ofHours(2));
    assertThat(s.deadlineOf("safety"))
        .as("categories not given keep their default")
        .isEqualTo(Duration.ofHours(4));
    assertThat(s.deadlineOf("graffiti")).isEqualTo(Duration.ofHours(24));
    assertThat(s.areaInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.cooldown()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aBadValueStopsStartUpNamingItsKey() {
    assertThatThrownBy(
            () ->
                EmergencySettings.fromArgs(
                    new String[] {"--emergency.escalate-after", "five minutes"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emergency.escalate-after must be a number, got 'five minutes'");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.renotify-every", "0"}))
        .hasMessage("emergency.renotify-every must be a positive duration, got PT0S");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.fire-window", "-1"}))
        .hasMessage("emergency.fire-window must be a positive duration, got PT-1S");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.quiet-to-resolve", "NaN"}))
        .hasMessage("emergency.quiet-to-resolve must be a number, got 'NaN'");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.flood-warning-cm", "0"}))
        .hasMessage("emergency.flood-warning-cm must be positive, got 0.0");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.flood-critical-cm", "12"}))
        .hasMessage(
            "emergency.flood-critical-cm must be above emergency.flood-warning-cm (15.0), got 12.0");
    assertThatThrownBy(
            () ->
                EmergencySettings.fromArgs(
                    new String[] {"--emergency.ticket-deadline.water", "soon"}))
        .hasMessage("emergency.ticket-deadline.water must be a number, got 'soon'");
    assertThatThrownBy(
            () ->
                EmergencySettings.fromArgs(
                    new String[] {"--emergency.ticket-deadline.noise", "-3600"}))
        .hasMessage("emergency.ticket-deadline.noise must be a positive duration, got PT-1H");
    assertThatThrownBy(
            () ->
                EmergencySettings.fromArgs(
                    new String[] {"--emergency.ticket-deadline.default", "0"}))
        .hasMessage("emergency.ticket-deadline.default must be a positive duration, got PT0S");
    assertThatThrownBy(
            () -> EmergencySettings.fromArgs(new String[] {"--emergency.area-interval", "x"}))
        .hasMessage("emergency.area-interval must be a number, got 'x'");
    assertThatThrownBy(() -> EmergencySettings.fromArgs(new String[] {"--emergency.cooldown", "0"}))
        .hasMessage("emergency.cooldown must be a positive duration, got PT0S");
  }

  @Test
  void theJobRefusesToStartOnABadValueBeforeTouchingKafka() {
    assertThatThrownBy(
            () ->
                EmergencyJob.main(
                    new String[] {
                      "--kafka.bootstrap-servers",
                      "localhost:1",
                      "--influx.url",
                      "http://localhost:1",
                      "--influx.token",
                      "t",
                      "--emergency.escalate-after",
                      "soon"
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("emergency.escalate-after must be a number, got 'soon'");
  }
}
