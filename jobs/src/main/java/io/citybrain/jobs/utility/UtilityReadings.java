package io.citybrain.jobs.utility;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import io.citybrain.contract.Reason;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;

/** Pure functions from a raw utility record to a reading placed in its zone. */
public final class UtilityReadings {
  private UtilityReadings() {}

  /**
   * Water meters give {@code flowM3h} and {@code pressureKPa}; power meters {@code kW} and {@code
   * voltageV}; gas sensors {@code pressureKPa} and {@code ppm} (contract v1). All are required: a
   * reading without one is a dead letter {@code missing-field}.
   */
  public static UtilityReading toReading(KafkaEvent e, ZoneLocator zones) throws Rejected {
    Envelope env = Envelopes.decode(e);
    if (!"utility".equals(env.domain())) {
      throw new Rejected(
          Reason.UNKNOWN_KIND,
          "the utility job reads utility/water, utility/power and utility/gas, not "
              + env.domain()
              + "/"
              + env.kind());
    }
    Reading r = Envelopes.reading(env).orElse(null);
    double rate;
    double level;
    double ppm = Double.NaN;
    if (r instanceof Reading.Water water) {
      rate = water.flowM3h();
      level = water.pressureKPa();
    } else if (r instanceof Reading.Power power) {
      rate = power.kW();
      level = power.voltageV();
    } else if (r instanceof Reading.Gas gas) {
      rate = Double.NaN;
      level = gas.pressureKPa();
      ppm = gas.ppm();
    } else {
      throw new Rejected(
          Reason.UNKNOWN_KIND,
          "the utility job reads utility/water, utility/power and utility/gas, not utility/"
              + env.kind());
    }
    ZonePlace place =
        zones
            .locate(env.lon(), env.lat(), env.kind())
            .orElseThrow(
                () ->
                    new Rejected(
                        Reason.OUTSIDE_CITY,
                        env.deviceId()
                            + " at "
                            + env.lat()
                            + ","
                            + env.lon()
                            + " is in no "
                            + env.kind()
                            + " zone of the city"));
    return new UtilityReading(
        env.deviceId(),
        env.kind(),
        place.zone(),
        place.district(),
        env.lat(),
        env.lon(),
        env.ts(),
        rate,
        level,
        ppm,
        e.topic(),
        e.value());
  }
}
