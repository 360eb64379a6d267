package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.contract.DeadLetter;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Utility;
import io.citybrain.jobs.common.DeadLetters;
import io.citybrain.jobs.common.GeographyUpdates;
import io.citybrain.jobs.common.KafkaEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Point;

/**
 * The utility job's placing operator with its broadcast input: zones replaced between two readings,
 * a bad layer refused with the previous zones kept, the other layer ignored, and the replaced zones
 * restored from a snapshot without being sent again.
 */
class LocateReadingsHarnessTest {

  private static final CityModel CITY = CityModel.hangzhou();
  private static final long TS = 1_767_571_230_000L;

  private static BroadcastOperatorTestHarness<KafkaEvent, KafkaEvent, UtilityReading> harness()
      throws Exception {
    return new BroadcastOperatorTestHarness<>(
        new CoBroadcastWithNonKeyedOperator<>(
            new UtilityJob.LocateReadings(new GeoZoneLocator(CityModel.DEFAULT_SEED)),
            List.of(GeographyUpdates.STATE)),
        1,
        1,
        0);
  }

  private static KafkaEvent reading(double[] at) {
    return new KafkaEvent(
        Topics.RAW_UTILITY,
        "wm-1",
        EnvelopeCodec.encode(
            new Envelope(
                "wm-1",
                "utility",
                "water",
                TS,
                at[1],
                at[0],
                Map.of("flowM3h", 2.0, "pressureKPa", 400.0),
                TS,
                "mqtt")),
        TS);
  }

  private static KafkaEvent layer(String key, byte[] geojson) {
    return new KafkaEvent(Topics.GEOGRAPHY, key, geojson, TS);
  }

  @Test
  void zonesAreReplacedBetweenTwoReadingsABadLayerIsRefusedAndTheReplacementSurvivesASnapshot()
      throws Exception {
    var water =
        CITY.zones().stream().filter(z -> z.utility() == Utility.WATER).findFirst().orElseThrow();
    Point p = water.boundary().getInteriorPoint();
    double[] at = {p.getX(), p.getY()};
    List<io.citybrain.geo.UtilityZone> renamed = new ArrayList<>(CITY.zones());
    renamed.set(
        renamed.indexOf(water),
        new io.citybrain.geo.UtilityZone(
            "w-redrawn", Utility.WATER, water.districtCode(), water.boundary()));
    List<io.citybrain.geo.UtilityZone> bad = new ArrayList<>(renamed);
    bad.set(
        0,
        new io.citybrain.geo.UtilityZone("w-elsewhere", Utility.WATER, "330110", water.boundary()));

    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.open();
      h.processElement(reading(at), TS);
      h.processBroadcastElement(layer("zones", CityGeoJson.zones(renamed, "v2")), TS);
      h.processElement(reading(at), TS);
      h.processBroadcastElement(layer("zones", CityGeoJson.zones(bad, "v3")), TS);
      h.processBroadcastElement(
          layer("communities", CityGeoJson.communities(CITY.communities(), "c1")), TS);
      h.processElement(reading(at), TS);

      assertThat(h.extractOutputValues())
          .extracting(UtilityReading::zone)
          .containsExactly(water.id(), "w-redrawn", "w-redrawn");
      List<DeadLetter> dead = new ArrayList<>();
      h.getSideOutput(DeadLetters.TAG).forEach(r -> dead.add(r.getValue()));
      assertThat(dead)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.reason()).isEqualTo("bad-geography");
                assertThat(d.key()).isEqualTo("zones");
                // A city's zones are megabytes: the dead letter keeps the start, the topic keeps
                // the whole layer.
                assertThat(d.detail())
                    .isEqualTo(
                        "zone 'w-elsewhere' lies outside its district '330110' (payload cut to its first 65536 bytes)");
                assertThat(d.rawPayload()).hasSize(65536);
              });
      snapshot = h.snapshot(1, TS);
    }
    try (var restored = harness()) {
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(reading(at), TS);
      assertThat(restored.extractOutputValues())
          .extracting(UtilityReading::zone)
          .containsExactly("w-redrawn");
    }
  }
}
