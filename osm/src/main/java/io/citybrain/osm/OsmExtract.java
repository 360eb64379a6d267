package io.citybrain.osm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.openstreetmap.osmosis.core.container.v0_6.BoundContainer;
import org.openstreetmap.osmosis.core.container.v0_6.EntityContainer;
import org.openstreetmap.osmosis.core.domain.v0_6.Bound;
import org.openstreetmap.osmosis.core.domain.v0_6.Entity;
import org.openstreetmap.osmosis.core.domain.v0_6.EntityType;
import org.openstreetmap.osmosis.core.domain.v0_6.Node;
import org.openstreetmap.osmosis.core.domain.v0_6.Relation;
import org.openstreetmap.osmosis.core.domain.v0_6.RelationMember;
import org.openstreetmap.osmosis.core.domain.v0_6.Tag;
import org.openstreetmap.osmosis.core.domain.v0_6.Way;
import org.openstreetmap.osmosis.core.domain.v0_6.WayNode;
import org.openstreetmap.osmosis.core.task.v0_6.RunnableSource;
import org.openstreetmap.osmosis.core.task.v0_6.Sink;
import org.openstreetmap.osmosis.xml.common.CompressionMethod;
import org.openstreetmap.osmosis.xml.v0_6.XmlReader;

/**
 * What citybrain takes from an OpenStreetMap extract, read once with Osmosis' readers: every node's
 * position (24 bytes a node, so a city of a few million nodes fits in a laptop's heap), the ways
 * and relations with the tags the importer looks at, and the extract's bounds.
 *
 * <p>Osmosis reports a truncated or malformed file as an exception from its reader thread; it is
 * rethrown here naming the file.
 */
final class OsmExtract {

  /** The tags the importer reads; the others are dropped while reading to keep memory low. */
  private static final Set<String> KEPT_TAGS =
      Set.of(
          "highway",
          "maxspeed",
          "oneway",
          "lanes",
          "junction",
          "access",
          "motor_vehicle",
          "motorcar",
          "area",
          "building",
          "amenity",
          "name",
          "name:en",
          "name:zh",
          "boundary",
          "admin_level",
          "type",
          "ref");

  record OsmWay(long id, long[] nodes, Map<String, String> tags) {}

  record Member(long id, String role) {}

  record OsmRelation(long id, List<Member> wayMembers, Map<String, String> tags) {}

  /** A tagged node (a facility drawn as a point). */
  record OsmNode(long id, double lon, double lat, Map<String, String> tags) {}

  final Path file;
  private long[] nodeIds = new long[1 << 16];
  private double[] nodeLon = new double[1 << 16];
  private double[] nodeLat = new double[1 << 16];
  private int nodeCount;
  private boolean nodesSorted = true;
  final List<OsmNode> taggedNodes = new ArrayList<>();
  final List<OsmWay> ways = new ArrayList<>();
  final Map<Long, OsmWay> waysById = new HashMap<>();
  final List<OsmRelation> relations = new ArrayList<>();

  /** minLon, minLat, maxLon, maxLat from the file's bounds element, or null. */
  double[] bounds;

  private OsmExtract(Path file) {
    this.file = file;
  }

  /**
   * Reads {@code .osm}, {@code .osm.bz2}, {@code .osm.gz} or {@code .osm.pbf}; {@code progress}
   * gets a line every million entities.
   */
  static OsmExtract read(Path file, Consumer<String> progress) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(file + " is not a readable file");
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    OsmExtract extract = new OsmExtract(file);
    RunnableSource source;
    if (name.endsWith(".osm.pbf") || name.endsWith(".pbf")) {
      checkPbfHeader(file);
      source = new crosby.binary.osmosis.OsmosisReader(file.toFile());
    } else if (name.endsWith(".osm")
        || name.endsWith(".osm.bz2")
        || name.endsWith(".osm.gz")
        || name.endsWith(".xml")) {
      CompressionMethod compression =
          name.endsWith(".bz2")
              ? CompressionMethod.BZip2
              : name.endsWith(".gz") ? CompressionMethod.GZip : CompressionMethod.None;
      source = new XmlReader(new File(file.toString()), false, compression);
    } else {
      throw new IllegalArgumentException(
          file
              + ": expected an OpenStreetMap extract ending in .osm, .osm.bz2, .osm.gz or .osm.pbf");
    }
    Collector collector = extract.new Collector(progress);
    source.setSink(collector);
    try {
      source.run();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          file
              + " cannot be read as OpenStreetMap data (truncated or malformed?): "
              + rootMessage(e),
          e);
    }
    if (!collector.completed) {
      throw new IllegalArgumentException(file + " ended before its data did (truncated?)");
    }
    extract.sortNodes();
    return extract;
  }

  private static void checkPbfHeader(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      if (head.length < 4) {
        throw new IllegalArgumentException(file + " is too short to be an OpenStreetMap PBF file");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      out.append("; ").append(t.getMessage());
    }
    return out.toString();
  }

  int nodeCount() {
    return nodeCount;
  }

  /** The position of a node, or null when the extract does not have it. */
  double[] node(long id) {
    int i = Arrays.binarySearch(nodeIds, 0, nodeCount, id);
    return i < 0 ? null : new double[] {nodeLon[i], nodeLat[i]};
  }

  private void addNode(long id, double lon, double lat) {
    if (nodeCount == nodeIds.length) {
      int n = nodeCount * 2;
      nodeIds = Arrays.copyOf(nodeIds, n);
      nodeLon = Arrays.copyOf(nodeLon, n);
      nodeLat = Arrays.copyOf(nodeLat, n);
    }
    if (nodeCount > 0 && id <= nodeIds[nodeCount - 1]) {
      nodesSorted = false;
    }
    nodeIds[nodeCount] = id;
    // OSM's own precision: 1e-7 degrees. PBF decodes to values a few ulps off the XML text, and the
    // same extract must give the same package whatever its format.
    nodeLon[nodeCount] = Math.round(lon * 1e7) / 1e7;
    nodeLat[nodeCount] = Math.round(lat * 1e7) / 1e7;
    nodeCount++;
  }

  /** Extracts are written in id order; an unsorted one is sorted once here. */
  private void sortNodes() {
    if (nodesSorted) {
      return;
    }
    Integer[] order = new Integer[nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(nodeIds[a], nodeIds[b]));
    long[] ids = new long[nodeCount];
    double[] lon = new double[nodeCount];
    double[] lat = new double[nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      ids[i] = nodeIds[order[i]];
      lon[i] = nodeLon[order[i]];
      lat[i] = nodeLat[order[i]];
    }
    nodeIds = ids;
    nodeLon = lon;
    nodeLat = lat;
  }

  private static Map<String, String> keptTags(Entity e) {
    Map<String, String> tags = null;
    for (Tag t : e.getTags()) {
      if (KEPT_TAGS.contains(t.getKey())) {
        if (tags == null) {
          tags = new HashMap<>();
        }
        tags.put(t.getKey(), t.getValue());
      }
    }
    return tags == null ? Map.of() : tags;
  }

  private final class Collector implements Sink {
    private final Consumer<String> progress;
    private long entities;
    boolean completed;

    Collector(Consumer<String> progress) {
      this.progress = progress;
    }

    @Override
    public void initialize(Map<String, Object> metaData) {}

    @Override
    public void process(EntityContainer container) {
      if (++entities % 1_000_000 == 0) {
        progress.accept(
            String.format(
                java.util.Locale.ROOT,
                "  read %,d entities (%,d nodes, %,d ways, %,d relations)",
                entities,
                nodeCount,
                ways.size(),
                relations.size()));
      }
      if (container instanceof BoundContainer b) {
        Bound bound = b.getEntity();
        bounds =
            new double[] {bound.getLeft(), bound.getBottom(), bound.getRight(), bound.getTop()};
        return;
      }
      Entity e = container.getEntity();
      if (e instanceof Node n) {
        addNode(n.getId(), n.getLongitude(), n.getLatitude());
        Map<String, String> tags = keptTags(n);
        if (tags.containsKey("amenity")) {
          taggedNodes.add(
              new OsmNode(n.getId(), nodeLon[nodeCount - 1], nodeLat[nodeCount - 1], tags));
        }
      } else if (e instanceof Way w) {
        List<WayNode> wn = w.getWayNodes();
        long[] refs = new long[wn.size()];
        for (int i = 0; i < refs.length; i++) {
          refs[i] = wn.get(i).getNodeId();
        }
        OsmWay way = new OsmWay(w.getId(), refs, keptTags(w));
        ways.add(way);
        waysById.put(way.id(), way);
      } else if (e instanceof Relation r) {
        Map<String, String> tags = keptTags(r);
        if ("administrative".equals(tags.get("boundary"))) {
          List<Member> members = new ArrayList<>();
          for (RelationMember m : r.getMembers()) {
            if (m.getMemberType() == EntityType.Way) {
              members.add(new Member(m.getMemberId(), m.getMemberRole()));
            }
          }
          relations.add(new OsmRelation(r.getId(), members, tags));
        }
      }
    }

    @Override
    public void complete() {
      completed = true;
    }

    @Override
    public void close() {}
  }
}
