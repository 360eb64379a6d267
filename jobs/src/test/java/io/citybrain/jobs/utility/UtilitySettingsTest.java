package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UtilitySettingsTest {

  @Test
  void defaultsAndOverridesFromArguments() {
    UtilitySettings s =
        UtilitySettings.fromArgs(
            new String[] {
              "--utility.nominal-voltage", "230", "--utility.reporting-interval", "900"
            });
    assertThat(s.nominalVoltage()).isEqualTo(230);
    assertThat(s.reportingInterval()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s.gasPpmCritical()).isEqualTo(5_000);
  }

  @Test
  void aWrongValueNamesItsKey() {
    assertThatThrownBy(
            () -> UtilitySettings.fromArgs(new String[] {"--utility.nominal-voltage", "lots"}))
        .hasMessage("utility.nominal-voltage must be a number, got 'lots'");
    assertThatThrownBy(() -> UtilitySettings.fromArgs(new String[] {"--utility.burst-drop", "1.5"}))
        .hasMessage("utility.burst-drop must be between 0 and 1, got 1.5");
    assertThatThrownBy(
            () -> UtilitySettings.fromArgs(new String[] {"--utility.gas-pressure-min-kpa", "6"}))
        .hasMessage(
            "utility.gas-pressure-min-kpa must be non-negative and below utility.gas-pressure-max-kpa, got 6.0 and 5.0");
    assertThatThrownBy(
            () -> UtilitySettings.fromArgs(new String[] {"--utility.forget-after", "60"}))
        .hasMessage("utility.forget-after must exceed two utility.reporting-interval");
  }
}
