package io.citybrain.jobs.traffic;

import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.geo.CityIndex;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.RoadSegment;
import io.citybrain.jobs.common.CitySource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.util.ParameterTool;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.linearref.LengthIndexedLine;

/**
 * Map matching on the city's road network (a city package's, or the generated city of a seed; the
 * geo module's matcher: nearest segment within 30 m, bearing within 45° for probes, any bearing for
 * loop detectors), except for loop detectors whose segment the device registry names.
 */
public final class GeoSegmentMatcher implements SegmentMatcher {

  public static final String REGISTRY_KEY = "registry.path";

  private final CitySource source;
  private final Map<String, String> loopSegments;
  private transient CityIndex index;
  private transient Map<String, RoadSegment> roads;
  private transient Map<String, MatchedSegment> matched;

  public GeoSegmentMatcher(long citySeed) {
    this(CitySource.generated(citySeed), Map.of());
  }

  public GeoSegmentMatcher(CitySource source) {
    this(source, Map.of());
  }

  /** On the generated city of {@code citySeed}, with the loop detectors' segments. */
  public GeoSegmentMatcher(long citySeed, Map<String, String> loopSegments) {
    this(CitySource.generated(citySeed), loopSegments);
  }

  /** With the loop detectors' segments of the device registry (device id to segment id). */
  public GeoSegmentMatcher(CitySource source, Map<String, String> loopSegments) {
    this.source = source;
    this.loopSegments = Map.copyOf(loopSegments);
  }

  /**
   * The loop detectors' segments of the registry named by {@code --registry.path} (optional:
   * without it, loop detectors are matched by position like probes); a bad file stops start-up
   * naming the key.
   */
  public static Map<String, String> loopSegments(String[] args) {
    String registry = ParameterTool.fromArgs(args).get(REGISTRY_KEY);
    return registry == null
        ? Map.of()
        : DeviceRegistry.load(REGISTRY_KEY, Path.of(registry)).loopSegments();
  }

  @Override
  public void open() {
    use(source.city());
  }

  @Override
  public CitySource city() {
    return source;
  }

  @Override
  public void use(CityModel city) {
    index = city.index();
    roads = new HashMap<>();
    for (RoadSegment s : city.roads()) {
      roads.put(s.id(), s);
    }
    matched = new HashMap<>();
  }

  @Override
  public Optional<MatchedSegment> matchLoop(String deviceId, double lon, double lat) {
    String registered = loopSegments.get(deviceId);
    if (registered == null) {
      return match(lon, lat, null);
    }
    // A segment the city model does not have means a registry of another city seed: no match, so
    // the reading is dead-lettered rather than counted on a guessed road.
    RoadSegment s = roads.get(registered);
    return s == null
        ? Optional.empty()
        : Optional.of(matched.computeIfAbsent(s.id(), id -> describe(s)));
  }

  @Override
  public Optional<MatchedSegment> match(double lon, double lat, Double headingDeg) {
    return index
        .matchRoad(lon, lat, headingDeg == null ? Double.NaN : headingDeg)
        .map(m -> matched.computeIfAbsent(m.segment().id(), id -> describe(m.segment())));
  }

  private static MatchedSegment describe(RoadSegment s) {
    LengthIndexedLine line = new LengthIndexedLine(s.geometry());
    Coordinate mid = line.extractPoint(line.getEndIndex() / 2);
    return new MatchedSegment(
        s.id(),
        s.districtCode(),
        s.roadClass().wireName(),
        s.freeFlowKmh(),
        s.lengthM(),
        mid.x,
        mid.y);
  }
}
