package io.citybrain.jobs.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;

/**
 * Loop detectors take the segment the device registry names; the others are matched by position.
 */
class RegisteredLoopSegmentTest {

  private static RoadSegment here;
  private static RoadSegment elsewhere;
  private static Coordinate onHere;

  @BeforeAll
  static void city() {
    List<RoadSegment> roads = CityModel.generate(42).roads();
    here = roads.get(0);
    elsewhere = roads.get(roads.size() - 1);
    onHere = here.geometry().getCoordinateN(0);
  }

  @Test
  void aRegisteredLoopCountsOnItsRegisteredSegmentWhereverItsPositionFalls() {
    GeoSegmentMatcher m =
        new GeoSegmentMatcher(42, Map.of("L-1", elsewhere.id(), "L-9", "no-such-segment"));
    m.open();
    assertThat(m.matchLoop("L-1", onHere.x, onHere.y))
        .get()
        .extracting(MatchedSegment::segmentId)
        .isEqualTo(elsewhere.id());
    assertThat(m.matchLoop("L-2", onHere.x, onHere.y))
        .get()
        .extracting(MatchedSegment::segmentId)
        .isEqualTo(m.match(onHere.x, onHere.y, null).orElseThrow().segmentId());
    assertThat(m.matchLoop("L-9", onHere.x, onHere.y)).isEmpty();
  }

  @Test
  void theJobReadsTheRegistryItIsGivenAndStopsNamingTheKeyOnABadPath(@TempDir Path dir) {
    Path csv = dir.resolve("devices.csv");
    DeviceRegistry.write(
        csv,
        List.of(
            new RegisteredDevice(
                "L-1",
                "traffic",
                "loop",
                onHere.y,
                onHere.x,
                "330106",
                elsewhere.id(),
                null,
                null,
                null)));
    GeoSegmentMatcher m =
        new GeoSegmentMatcher(
            42, GeoSegmentMatcher.loopSegments(new String[] {"--registry.path", csv.toString()}));
    m.open();
    assertThat(m.matchLoop("L-1", onHere.x, onHere.y))
        .get()
        .extracting(MatchedSegment::segmentId)
        .isEqualTo(elsewhere.id());

    assertThatThrownBy(
            () ->
                GeoSegmentMatcher.loopSegments(
                    new String[] {"--registry.path", dir.resolve("none.csv").toString()}))
        .hasMessageStartingWith("registry.path is not a readable file");
  }
}
