package io.citybrain.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/**
 * Hand-made roads at Hangzhou's latitude, where a degree of longitude is about 96.3 km, not 111 km.
 */
class RoadMatcherTest {

  private static final double LAT = 30.25;
  private static final double M_LAT = Metric.metresPerDegreeLat(LAT);
  private static final double M_LON = Metric.metresPerDegreeLon(LAT);

  private static RoadSegment road(String id, boolean oneway, String wkt) {
    try {
      return RoadSegment.of(
          id,
          RoadClass.LOCAL,
          oneway,
          "330106",
          (LineString) new WKTReader(GeoJsonFeatures.WGS84).read(wkt));
    } catch (ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** East–west, two-way, 120.15..120.16 at 30.25. */
  private static final RoadSegment EAST_WEST =
      road("ew", false, "LINESTRING (120.15 30.25, 120.16 30.25)");

  /** North–south, one-way northbound, 30.245..30.255 at 120.155. */
  private static final RoadSegment NORTHBOUND =
      road("nb", true, "LINESTRING (120.155 30.245, 120.155 30.255)");

  /** Parallel to EAST_WEST, 10 m north of it, from 120.17. */
  private static final RoadSegment NEAR =
      road("near", false, "LINESTRING (120.17 30.25, 120.18 30.25)");

  private static final RoadSegment FAR =
      road(
          "far",
          false,
          "LINESTRING (120.17 " + (LAT + 20 / M_LAT) + ", 120.18 " + (LAT + 20 / M_LAT) + ")");
  private static final RoadMatcher MATCHER =
      new RoadMatcher(List.of(EAST_WEST, NORTHBOUND, FAR, NEAR));

  @Test
  void matchesARoad20MetresAwayInTheDirectionOfTravel() {
    RoadMatch m = MATCHER.match(120.152, LAT + 20 / M_LAT, 90).orElseThrow();
    assertThat(m.segment().id()).isEqualTo("ew");
    assertThat(m.distanceM()).isCloseTo(20, within(0.01));
    assertThat(m.againstGeometry()).isFalse();
  }

  @Test
  void aTwoWayRoadMatchesEitherDirectionAOneWayRoadOnlyItsOwn() {
    RoadMatch west = MATCHER.match(120.152, LAT + 20 / M_LAT, 270).orElseThrow();
    assertThat(west.segment().id()).isEqualTo("ew");
    assertThat(west.againstGeometry()).isTrue();
    double eastOfNb = 120.155 + 10 / M_LON;
    assertThat(MATCHER.match(eastOfNb, 30.252, 10)).map(r -> r.segment().id()).contains("nb");
    assertThat(MATCHER.match(eastOfNb, 30.252, 190)).isEmpty();
  }

  @Test
  void theHeadingMayDifferByAtMost45Degrees() {
    double lat = LAT + 5 / M_LAT;
    assertThat(MATCHER.match(120.152, lat, 135)).isPresent();
    assertThat(MATCHER.match(120.152, lat, 45)).isPresent();
    assertThat(MATCHER.match(120.152, lat, 136)).isEmpty();
    assertThat(MATCHER.match(120.152, lat, 226)).map(RoadMatch::againstGeometry).contains(true);
    assertThat(MATCHER.match(120.152, lat, 0)).isEmpty();
    assertThat(MATCHER.match(120.152, lat, 180)).isEmpty();
    assertThat(MATCHER.match(120.152, lat, Double.NaN)).map(r -> r.segment().id()).contains("ew");
  }

  @Test
  void nothingBeyond30Metres() {
    assertThat(MATCHER.match(120.152, LAT + 29.9 / M_LAT, 90)).isPresent();
    assertThat(MATCHER.match(120.152, LAT + 30.1 / M_LAT, 90)).isEmpty();
    assertThat(MATCHER.match(0, 0, 90)).isEmpty();
  }

  @Test
  void distancesAlongLongitudeAreMetricAtThisLatitude() {
    // 28 m east of the road's end: within 30 m. Raw degrees at 111 km per degree would say 32 m.
    RoadMatch m = MATCHER.match(120.16 + 28 / M_LON, LAT, 90).orElseThrow();
    assertThat(m.segment().id()).isEqualTo("ew");
    assertThat(m.distanceM()).isCloseTo(28, within(0.01));
    assertThat(MATCHER.match(120.16 + 31 / M_LON, LAT, 90)).isEmpty();
  }

  @Test
  void theNearestQualifyingRoadWins() {
    assertThat(MATCHER.match(120.175, LAT + 8 / M_LAT, 90))
        .map(r -> r.segment().id())
        .contains("near");
    assertThat(MATCHER.match(120.175, LAT + 12 / M_LAT, 90))
        .map(r -> r.segment().id())
        .contains("far");
  }

  @Test
  void metricAgreesWithTheEllipsoidAtHangzhou() {
    // One degree of longitude at 30.25°N on WGS84: pi a cos(phi) / (180 sqrt(1 - e² sin² phi)).
    double phi = Math.toRadians(LAT);
    double a = 6_378_137;
    double e2 = 6.69437999014e-3;
    double expected =
        Math.PI * a * Math.cos(phi) / (180 * Math.sqrt(1 - e2 * Math.sin(phi) * Math.sin(phi)));
    assertThat(Metric.distanceM(120, LAT, 121, LAT)).isCloseTo(expected, within(1.0));
    assertThat(Metric.metresPerDegreeLon(LAT)).isCloseTo(96_300, within(200.0));
    assertThat(RoadSegment.lengthM(EAST_WEST.geometry())).isCloseTo(expected / 100, within(0.05));
    assertThat(Metric.bearingDeg(120, 30, 120, 31)).isCloseTo(0, within(1e-9));
    assertThat(Metric.bearingDeg(120, 30, 121, 30)).isCloseTo(90, within(1e-9));
  }
}
