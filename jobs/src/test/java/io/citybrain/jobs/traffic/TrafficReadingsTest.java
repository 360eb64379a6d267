package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.geo.DistrictIndex;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficReadingsTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final DistrictIndex DISTRICTS = DistrictIndex.hangzhou();

  private static KafkaEvent event(Envelope e) {
    return new KafkaEvent("city.raw.traffic", e.deviceId(), EnvelopeCodec.encode(e), e.ts());
  }

  @Test
  void aLoopReadingAtWestLakeIsInXihu() throws Rejected {
    Envelope e = new Envelope("L-1", "traffic", "loop", T0, 30.2445, 120.1445, Map.of("speedKmh", 31.5), T0, "mqtt");
    SpeedReading r = TrafficReadings.toSpeedReading(event(e), DISTRICTS);
    assertThat(r.district()).isEqualTo("330106");
    assertThat(r.speedKmh()).isEqualTo(31.5);
    assertThat(r.ts()).isEqualTo(T0);
  }

  @Test
  void aReadingOutsideTheCityIsRejectedAsOutsideCity() {
    Envelope e = new Envelope("L-2", "traffic", "loop", T0, 39.909, 116.397, Map.of("speedKmh", 31.5), T0, "mqtt");
    assertThatThrownBy(() -> TrafficReadings.toSpeedReading(event(e), DISTRICTS))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason().code()).isEqualTo("outside-city"));
  }

  @Test
  void bytesThatAreNoEnvelopeAreRejectedAsBadEnvelope() {
    KafkaEvent e = new KafkaEvent("city.raw.traffic", "x", "{oops".getBytes(StandardCharsets.UTF_8), T0);
    assertThatThrownBy(() -> TrafficReadings.toSpeedReading(e, DISTRICTS))
        .isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.reason().code()).isEqualTo("bad-envelope"));
  }

  @Test
  void theMeanCountsEachReportOnce() {
    MeanSpeed f = new MeanSpeed();
    MeanSpeed.Acc acc = f.createAccumulator();
    for (double v : new double[] {30, 40, 50}) {
      acc = f.add(new SpeedReading("d", "330106", v, T0, "t", new byte[0]), acc);
    }
    MeanSpeed.Acc other = f.add(new SpeedReading("d", "330106", 20, T0, "t", new byte[0]), f.createAccumulator());
    MeanSpeed.Acc merged = f.merge(acc, other);
    // (30 + 40 + 50 + 20) / 4 = 35
    assertThat(merged.mean()).isEqualTo(35.0);
    assertThat(merged.count).isEqualTo(4);
  }

  @Test
  void theRowCarriesEveryFieldWithTheWindowEndAsTime() {
    String line = TrafficJob.toPoint(new DistrictTraffic("330106", T0 + 60_000, 40.0, 3)).toLineProtocol();
    assertThat(line).isEqualTo("traffic_district,district=330106 mean_speed_kmh=40.0,samples=3i " + (T0 + 60_000));
  }
}
