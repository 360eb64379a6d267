package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.Envelope;
import io.citybrain.jobs.common.KafkaCoordinate;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.common.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrafficReadingsTest {

  private static final long T0 = 1_767_600_000_000L;
  private static final MatchedSegment ARTERIAL =
      new MatchedSegment("r-1", "330106", "arterial", 60, 500, 120.14, 30.25);
  private static final MatchedSegment LOCAL =
      new MatchedSegment("r-2", "330106", "local", 40, 250, 120.15, 30.25);

  private static KafkaEvent event(Envelope e) {
    return new KafkaEvent("city.raw.traffic", e.deviceId(), EnvelopeCodec.encode(e), e.ts());
  }

  /** A matcher that knows one road, reached only at one exact position. */
  private static final SegmentMatcher ONE_ROAD =
      new SegmentMatcher() {
        @Override
        public void open() {}

        @Override
        public io.citybrain.jobs.common.CitySource city() {
          throw new UnsupportedOperationException("a one-road matcher has no city");
        }

        @Override
        public void use(io.citybrain.geo.CityModel city) {
          throw new UnsupportedOperationException("a one-road matcher has no city");
        }

        @Override
        public Optional<MatchedSegment> match(double lon, double lat, Double headingDeg) {
          return lon == 120.14 && lat == 30.25 ? Optional.of(ARTERIAL) : Optional.empty();
        }
      };

  private static TrafficObservation loop(
      MatchedSegment s, double count, double speed, double occupancy) {
    return new TrafficObservation(
        "L", s, T0, speed, count, 60, occupancy, new KafkaCoordinate("t", -1, -1));
  }

  private static TrafficObservation probe(MatchedSegment s, double speed) {
    return new TrafficObservation("P", s, T0, speed, 1, 0, 0, new KafkaCoordinate("t", -1, -1));
  }

  @Test
  void aLoopAndAProbeAreDecodedAndPlacedOnTheirSegment() throws Rejected {
    Envelope loop =
        new Envelope(
            "L-1",
            "traffic",
            "loop",
            T0,
            30.25,
            120.14,
            Map.of("count", 12.0, "intervalS", 60.0, "speedKmh", 31.5, "occupancy", 0.2),
            T0,
            "mqtt");
    TrafficObservation o = TrafficReadings.observe(TrafficReadings.decode(event(loop)), ONE_ROAD);
    assertThat(o.segment()).isEqualTo(ARTERIAL);
    assertThat(o.vehicles()).isEqualTo(12.0);
    assertThat(o.intervalS()).isEqualTo(60.0);

    Envelope probe =
        new Envelope(
            "P-1",
            "traffic",
            "probe",
            T0,
            30.25,
            120.14,
            Map.of("speedKmh", 20.0, "headingDeg", 90.0),
            T0,
            "mqtt");
    ProbeFix fix = TrafficReadings.decode(event(probe));
    assertThat(fix.headingDeg()).isEqualTo(90.0);
    assertThat(TrafficReadings.observe(fix, ONE_ROAD).vehicles()).isEqualTo(1.0);
  }

  @Test
  void aReadingOnNoRoadIsRejectedAsUnmatched() throws Rejected {
    Envelope probe =
        new Envelope(
            "P-2",
            "traffic",
            "probe",
            T0,
            30.3,
            120.2,
            Map.of("speedKmh", 20.0, "headingDeg", 90.0),
            T0,
            "mqtt");
    ProbeFix fix = TrafficReadings.decode(event(probe));
    assertThatThrownBy(() -> TrafficReadings.observe(fix, ONE_ROAD))
        .isInstanceOfSatisfying(
            Rejected.class, r -> assertThat(r.reason().code()).isEqualTo("unmatched"));
  }

  @Test
  void bytesThatAreNoEnvelopeAreRejectedAsBadEnvelope() {
    KafkaEvent e =
        new KafkaEvent("city.raw.traffic", "x", "{oops".getBytes(StandardCharsets.UTF_8), T0);
    assertThatThrownBy(() -> TrafficReadings.decode(e))
        .isInstanceOfSatisfying(
            Rejected.class, r -> assertThat(r.reason().code()).isEqualTo("bad-envelope"));
  }

  @Test
  void segmentSpeedIsTheSpaceMeanOfItsVehicles() {
    SegmentAcc acc = new SegmentAcc();
    acc.add(loop(ARTERIAL, 10, 30, 0.2)); // 10 vehicles at 30 km/h
    acc.add(probe(ARTERIAL, 60)); // 1 vehicle at 60 km/h
    acc.add(probe(ARTERIAL, 20)); // 1 vehicle at 20 km/h
    SegmentTraffic t = TrafficIndicators.segment(ARTERIAL, T0 + 60_000, acc);
    // Harmonic: 12 / (10/30 + 1/60 + 1/20) = 12 / 0.4 = 30 km/h (the arithmetic mean of reports
    // would be 36.7).
    assertThat(t.speedKmh()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(t.tti()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9)); // 60 / 30
    assertThat(t.flowVph()).isEqualTo(600.0); // 10 vehicles in 60 s
    assertThat(t.occupancy()).isEqualTo(0.2);
    assertThat(t.samples()).isEqualTo(3);
  }

  @Test
  void aSegmentSeenOnlyByProbesHasNoFlow() {
    SegmentAcc acc = new SegmentAcc();
    acc.add(probe(LOCAL, 40));
    SegmentTraffic t = TrafficIndicators.segment(LOCAL, T0, acc);
    assertThat(t.flowVph()).isNull();
    assertThat(t.occupancy()).isNull();
    assertThat(t.tti()).isEqualTo(1.0);
  }

  @Test
  void ttiIsClampedAndLevelsFollowTheCongestionDelayIndexConvention() {
    assertThat(TrafficIndicators.tti(60, 90)).isEqualTo(1.0);
    assertThat(TrafficIndicators.tti(60, 0)).isEqualTo(10.0);
    assertThat(TrafficIndicators.level(1.49)).isZero();
    assertThat(TrafficIndicators.level(1.5)).isEqualTo(1);
    assertThat(TrafficIndicators.level(1.8)).isEqualTo(2);
    assertThat(TrafficIndicators.level(2.0)).isEqualTo(3);
  }

  @Test
  void theDistrictIsWeightedByVehicleKilometres() {
    // Arterial: 500 m, 100 vehicles at 30 km/h (tti 2.0); local: 250 m, 40 vehicles at 40 km/h (tti
    // 1.0).
    SegmentTraffic a =
        new SegmentTraffic(
            "r-1", "330106", "arterial", 60, 500, 0, 0, T0, 30, 6000.0, 0.3, 2.0, 10, 100);
    SegmentTraffic b =
        new SegmentTraffic("r-2", "330106", "local", 40, 250, 0, 0, T0, 40, null, null, 1.0, 4, 40);
    DistrictTraffic d = TrafficIndicators.district("330106", T0, List.of(a, b));
    // Vehicle-km: 100 × 0.5 = 50 and 40 × 0.25 = 10. TTI = (50 × 2 + 10 × 1) / 60 = 1.8333.
    assertThat(d.tti()).isCloseTo(110.0 / 60, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(d.level()).isEqualTo(2);
    // Speed = vehicle-km / vehicle-hours = 60 / (50/30 + 10/40) = 60 / 1.91667 = 31.30 km/h.
    assertThat(d.meanSpeedKmh())
        .isCloseTo(60 / (50.0 / 30 + 10.0 / 40), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(d.congestedKm()).isEqualTo(0.5);
    assertThat(d.samples()).isEqualTo(14);
  }

  @Test
  void rowsCarryEveryFieldWithTheWindowEndAsTime() {
    String district =
        TrafficJob.toPoint(new DistrictTraffic("330106", T0 + 60_000, 1.25, 0, 40.0, 0.0, 3))
            .toLineProtocol();
    assertThat(district)
        .isEqualTo(
            "traffic_district,district=330106 congested_km=0.0,level=0i,mean_speed_kmh=40.0,samples=3i,tti=1.25 "
                + (T0 + 60_000));
    String segment =
        TrafficJob.toPoint(
                new SegmentTraffic(
                    "r-1", "330106", "arterial", 60, 500, 0, 0, T0, 30, 600.0, 0.2, 2.0, 3, 12))
            .toLineProtocol();
    assertThat(segment)
        .isEqualTo(
            "traffic_segment,district=330106,road_class=arterial,segment=r-1 flow_vph=600.0,occupancy=0.2,samples=3i,speed_kmh=30.0,tti=2.0 "
                + T0);
  }

  @Test
  void impliedSpeedIsMetricAtHangzhousLatitude() {
    // 0.01° of latitude is 1113.2 m; in 20 s that is 200.4 km/h.
    assertThat(JumpFilter.impliedKmh(120.14, 30.25, T0, 120.14, 30.26, T0 + 20_000))
        .isCloseTo(200.38, org.assertj.core.data.Offset.offset(0.01));
    // 0.01° of longitude at 30.25°N is 961.7 m.
    assertThat(JumpFilter.metres(120.14, 30.25, 120.15, 30.25))
        .isCloseTo(961.7, org.assertj.core.data.Offset.offset(0.5));
  }

  @org.junit.jupiter.api.Test
  void aLoopThatCountedNoVehicleIsAnEmptyRoadNotNaN() {
    SegmentTraffic empty = TrafficIndicators.segment(ARTERIAL, T0, new SegmentAcc());
    assertThat(empty.speedKmh()).isEqualTo(60.0);
    assertThat(empty.tti()).isEqualTo(1.0);
    SegmentTraffic busy =
        new SegmentTraffic(
            "r-2", "330106", "local", 40, 250, 0, 0, T0, 20, 600.0, 0.3, 2.0, 10, 10);
    DistrictTraffic d = TrafficIndicators.district("330106", T0, java.util.List.of(empty, busy));
    // Only the busy segment has vehicle-km: TTI 2.0 (severe by the thresholds), not NaN.
    assertThat(d.tti()).isEqualTo(2.0);
    assertThat(d.level()).isEqualTo(3);
  }
}
