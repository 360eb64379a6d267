package io.citybrain.jobs.emergency;

import io.citybrain.connectors.alert.Alert;
import io.citybrain.connectors.alert.Evidence;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.geo.District;
import java.util.Optional;

/**
 * SOS (elderly wearables, panic buttons): a press is a critical alert at once. The alert id is
 * derived from the device and the press time, so a redelivered press yields the same id.
 */
public final class SosRule {
  private SosRule() {}

  public static final String KIND = "sos";

  public static Optional<Alert> apply(Envelope e, District district) {
    if (!"emergency".equals(e.domain()) || !KIND.equals(e.kind()) || !e.flag("pressed")) {
      return Optional.empty();
    }
    String message = "紧急求助：设备 " + e.deviceId() + " 在" + district.name() + "按下求助按钮 / "
        + "SOS: device " + e.deviceId() + " pressed its emergency button in " + district.slug();
    return Optional.of(new Alert(alertId(e.deviceId(), e.ts()), KIND, Alert.SEVERITY_CRITICAL, Alert.STATE_RAISED,
        district.code(), null, e.lat(), e.lon(), e.ts(), message,
        new Evidence[] {new Evidence(e.deviceId(), "pressed", 1, e.ts())}));
  }

  public static String alertId(String deviceId, long pressTs) {
    return "sos-" + deviceId + "-" + pressTs;
  }
}
