package io.citybrain.jobs.traffic;

import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * Map matching on the road network of the city model of a seed (the geo module's matcher: nearest
 * segment within 30 m, bearing within 45° for probes, any bearing for loop detectors).
 */
public final class GeoSegmentMatcher implements SegmentMatcher {

  private final long citySeed;
  private transient CityIndex index;
  private transient Map<String, MatchedSegment> matched;

  public GeoSegmentMatcher(long citySeed) {
    this.citySeed = citySeed;
  }

  @Override
  public void open() {
    index = CityModel.generate(citySeed).index();
    matched = new HashMap<>();
  }

  @Override
  public Optional<MatchedSegment> match(double lon, double lat, Double headingDeg) {
    return index.matchRoad(lon, lat, headingDeg == null ? Double.NaN : headingDeg)
        .map(m -> matched.computeIfAbsent(m.segment().id(), id -> describe(m.segment())));
  }

  private static MatchedSegment describe(RoadSegment s) {
    LengthIndexedLine line = new LengthIndexedLine(s.geometry());
    Coordinate mid = line.extractPoint(line.getEndIndex() / 2);
    return new MatchedSegment(s.id(), s.districtCode(), s.roadClass().wireName(), s.freeFlowKmh(), s.lengthM(), mid.x, mid.y);
  }
}
