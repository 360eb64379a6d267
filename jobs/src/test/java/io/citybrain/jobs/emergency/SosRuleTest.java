package io.citybrain.jobs.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SosRuleTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final District XIHU = DistrictIndex.hangzhou().locate(120.1445, 30.2445).orElseThrow();

  @Test
  void aPressIsACriticalAlertWithAStableId() {
    Envelope e = new Envelope("W-9", "emergency", "sos", T0, 30.2445, 120.1445, Map.of("pressed", true), T0 + 5, "mqtt");
    Alert a = SosRule.apply(e, XIHU).orElseThrow();
    assertThat(a.alertId()).isEqualTo("sos-W-9-" + T0);
    assertThat(a.severity()).isEqualTo("critical");
    assertThat(a.state()).isEqualTo("raised");
    assertThat(a.district()).isEqualTo("330106");
    assertThat(a.evidence()).hasSize(1);
    // The same press delivered twice is the same alert.
    assertThat(SosRule.apply(e, XIHU)).contains(a);
  }

  @Test
  void aReleaseOrAnotherKindRaisesNothing() {
    assertThat(SosRule.apply(new Envelope("W-9", "emergency", "sos", T0, 30.2, 120.1, Map.of("pressed", false), T0, "mqtt"), XIHU)).isEmpty();
    assertThat(SosRule.apply(new Envelope("F-1", "emergency", "flood", T0, 30.2, 120.1, Map.of("depthCm", 40.0), T0, "mqtt"), XIHU)).isEmpty();
  }

  @Test
  void anAlertSurvivesItsJsonRoundTrip() {
    Envelope e = new Envelope("W-9", "emergency", "sos", T0, 30.2445, 120.1445, Map.of("pressed", true), T0, "mqtt");
    Alert a = SosRule.apply(e, XIHU).orElseThrow();
    assertThat(Alert.fromJson(a.toJson())).isEqualTo(a);
  }
}
