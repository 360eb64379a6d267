package io.citybrain.geo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.algorithm.locate.IndexedPointInAreaLocator;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Location;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.Polygonal;

/**
 * Answers "which of these polygons covers this point?" for a list of polygons, in a few tens of
 * nanoseconds for most points.
 *
 * <p>Design: a uniform grid over the polygons' extent whose cells are split recursively into 4×4
 * children where a polygon boundary passes, down to a leaf size given at build time. Every cell
 * that no boundary crosses is resolved once while building (one point-in-polygon test of its
 * centre): it is empty or lies entirely inside one polygon, so a point that falls in it is answered
 * with a few array reads. Only points in the thin band of leaves that a boundary crosses fall back
 * to an exact test ({@link IndexedPointInAreaLocator}, the structure behind JTS's prepared
 * polygons) against the few polygons whose edges cross that leaf. Cells are matched against edges
 * (not polygons' envelopes), so a long thin or concave polygon costs no more than its boundary.
 *
 * <p>Semantics are those of {@code covers}: a point on a boundary is in the polygon. Where polygons
 * overlap or share an edge, the first in list order wins, exactly as a loop over the list calling
 * {@code covers} and stopping at the first hit would answer.
 *
 * <p>Immutable after construction and safe to query from many threads.
 */
public final class PolygonIndex {

  private static final int B = 4;
  private static final int EMPTY = -1;

  /**
   * Cells are matched against edges as if slightly larger, so rounding in the cell arithmetic
   * cannot misplace a point.
   */
  private static final double EPS = 1e-9;

  private final int size;
  private final double minX;
  private final double minY;
  private final double cellW;
  private final double cellH;
  private final int cols;
  private final int rows;
  private final int[] nodes;
  private final int[][] mixed;
  private final IndexedPointInAreaLocator[] locators;

  /**
   * Builds the index; {@code leafDeg} is the side (degrees) below which cells crossed by a boundary
   * are no longer split. Every element must be a Polygon or MultiPolygon.
   */
  public PolygonIndex(List<? extends Geometry> polygons, double leafDeg) {
    if (!(leafDeg > 0)) {
      throw new IllegalArgumentException("leafDeg must be positive, got " + leafDeg);
    }
    this.size = polygons.size();
    this.locators = new IndexedPointInAreaLocator[size];
    Envelope extent = new Envelope();
    for (int i = 0; i < size; i++) {
      Geometry g = polygons.get(i);
      if (!(g instanceof Polygonal) || g.isEmpty()) {
        throw new IllegalArgumentException(
            "polygon #" + i + " is not a non-empty Polygon or MultiPolygon");
      }
      locators[i] = new IndexedPointInAreaLocator(g);
      extent.expandToInclude(g.getEnvelopeInternal());
    }
    if (size == 0) {
      extent.init(0, 1, 0, 1);
    }
    extent.expandBy(Math.max(leafDeg, 1e-6));
    int target = Math.max(1 << 14, Math.min(1 << 21, size * 256));
    double cell = Math.sqrt(extent.getWidth() * extent.getHeight() / target);
    this.minX = extent.getMinX();
    this.minY = extent.getMinY();
    this.cols = Math.max(1, (int) Math.ceil(extent.getWidth() / cell));
    this.rows = Math.max(1, (int) Math.ceil(extent.getHeight() / cell));
    this.cellW = extent.getWidth() / cols;
    this.cellH = extent.getHeight() / rows;
    int depth = 0;
    for (double s = Math.max(cellW, cellH); s > leafDeg && depth < 12; s /= B) {
      depth++;
    }
    Builder b = new Builder(polygons, depth);
    this.nodes = b.nodes.toArray();
    this.mixed = b.mixed.toArray(new int[0][]);
    // The locators index themselves lazily on first use; do it now so queries never build anything.
    for (IndexedPointInAreaLocator l : locators) {
      l.locate(new Coordinate(minX, minY));
    }
  }

  /** The index of the first polygon covering the point, or -1 when none does. */
  public int locate(double x, double y) {
    double fx = (x - minX) / cellW;
    double fy = (y - minY) / cellH;
    if (!(fx >= 0 && fy >= 0 && fx < cols && fy < rows)) {
      return -1;
    }
    int ix = (int) fx;
    int iy = (int) fy;
    int v = nodes[iy * cols + ix];
    fx -= ix;
    fy -= iy;
    while (v >= 0) {
      fx *= B;
      fy *= B;
      int cx = Math.min((int) fx, B - 1);
      int cy = Math.min((int) fy, B - 1);
      fx -= cx;
      fy -= cy;
      v = nodes[v + cy * B + cx];
    }
    if (v == EMPTY) {
      return -1;
    }
    int code = -2 - v;
    if (code < size) {
      return code;
    }
    Coordinate c = null;
    for (int entry : mixed[code - size]) {
      int p = entry >>> 1;
      if ((entry & 1) == 1) {
        return p;
      }
      if (c == null) {
        c = new Coordinate(x, y);
      }
      if (locators[p].locate(c) != Location.EXTERIOR) {
        return p;
      }
    }
    return -1;
  }

  /** The number of polygons indexed. */
  public int size() {
    return size;
  }

  /** The number of grid cells (root cells and their children), for sizing reports. */
  public int cellCount() {
    return nodes.length;
  }

  /** The number of leaves that need an exact test, for sizing reports. */
  public int boundaryLeafCount() {
    return mixed.length;
  }

  /** Bytes held by the grid itself (not the polygons nor the locators' edge indexes). */
  public long gridBytes() {
    long bytes = 16L + 4L * nodes.length;
    for (int[] m : mixed) {
      bytes += 16 + 4L * m.length + 8;
    }
    return bytes;
  }

  private static boolean segmentTouchesRect(
      double x0, double y0, double x1, double y1, double ax, double ay, double bx, double by) {
    if (Math.max(x0, x1) < ax
        || Math.min(x0, x1) > bx
        || Math.max(y0, y1) < ay
        || Math.min(y0, y1) > by) {
      return false;
    }
    double dx = x1 - x0;
    double dy = y1 - y0;
    double s1 = dx * (ay - y0) - dy * (ax - x0);
    double s2 = dx * (ay - y0) - dy * (bx - x0);
    double s3 = dx * (by - y0) - dy * (ax - x0);
    double s4 = dx * (by - y0) - dy * (bx - x0);
    return !((s1 > 0 && s2 > 0 && s3 > 0 && s4 > 0) || (s1 < 0 && s2 < 0 && s3 < 0 && s4 < 0));
  }

  /** Build-time state: every polygon's edges as vertex arrays, and the growing cell arrays. */
  private final class Builder {
    final int maxDepth;
    final double[][] xs;
    final double[][] ys;
    final IntList nodes = new IntList();
    final List<int[]> mixed = new ArrayList<>();
    final Map<Object, Integer> mixedCodes = new HashMap<>();

    /**
     * A polygon that may cover part of a cell: its edges crossing the cell, or null when it covers
     * all of it.
     */
    record Candidate(int polygon, int[] edges) {}

    Builder(List<? extends Geometry> polygons, int maxDepth) {
      this.maxDepth = maxDepth;
      xs = new double[size][];
      ys = new double[size][];
      for (int p = 0; p < size; p++) {
        flatten(p, polygons.get(p));
      }
      nodes.fill(cols * rows, EMPTY);
      List<List<Candidate>> rootCandidates = rootCandidates();
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          List<Candidate> cands = rootCandidates.get(r * cols + c);
          if (cands != null) {
            nodes.set(
                r * cols + c, resolve(minX + c * cellW, minY + r * cellH, cellW, cellH, cands, 0));
          }
        }
      }
    }

    /**
     * Rings are stored one after another; an edge id is its first vertex, and NaN separates rings.
     */
    private void flatten(int p, Geometry g) {
      DoubleList x = new DoubleList();
      DoubleList y = new DoubleList();
      for (int i = 0; i < g.getNumGeometries(); i++) {
        Polygon poly = (Polygon) g.getGeometryN(i);
        addRing(poly.getExteriorRing(), x, y);
        for (int h = 0; h < poly.getNumInteriorRing(); h++) {
          addRing(poly.getInteriorRingN(h), x, y);
        }
      }
      xs[p] = x.toArray();
      ys[p] = y.toArray();
    }

    private void addRing(LineString ring, DoubleList x, DoubleList y) {
      for (Coordinate c : ring.getCoordinates()) {
        x.add(c.x);
        y.add(c.y);
      }
      x.add(Double.NaN);
      y.add(Double.NaN);
    }

    private List<List<Candidate>> rootCandidates() {
      List<List<Candidate>> cells =
          new ArrayList<>(java.util.Collections.nCopies(cols * rows, (List<Candidate>) null));
      for (int p = 0; p < size; p++) {
        double[] x = xs[p];
        double[] y = ys[p];
        Map<Integer, IntList> edgesByCell = new HashMap<>();
        int c0 = Integer.MAX_VALUE;
        int c1 = -1;
        int r0 = Integer.MAX_VALUE;
        int r1 = -1;
        for (int e = 0; e + 1 < x.length; e++) {
          if (Double.isNaN(x[e]) || Double.isNaN(x[e + 1])) {
            continue;
          }
          int ec0 = col(Math.min(x[e], x[e + 1]) - EPS);
          int ec1 = col(Math.max(x[e], x[e + 1]) + EPS);
          int er0 = row(Math.min(y[e], y[e + 1]) - EPS);
          int er1 = row(Math.max(y[e], y[e + 1]) + EPS);
          c0 = Math.min(c0, ec0);
          c1 = Math.max(c1, ec1);
          r0 = Math.min(r0, er0);
          r1 = Math.max(r1, er1);
          for (int r = er0; r <= er1; r++) {
            for (int c = ec0; c <= ec1; c++) {
              double ax = minX + c * cellW;
              double ay = minY + r * cellH;
              if (segmentTouchesRect(
                  x[e],
                  y[e],
                  x[e + 1],
                  y[e + 1],
                  ax - EPS,
                  ay - EPS,
                  ax + cellW + EPS,
                  ay + cellH + EPS)) {
                edgesByCell.computeIfAbsent(r * cols + c, k -> new IntList()).add(e);
              }
            }
          }
        }
        for (int r = r0; r <= r1; r++) {
          for (int c = c0; c <= c1; c++) {
            IntList edges = edgesByCell.get(r * cols + c);
            Candidate cand;
            if (edges != null) {
              cand = new Candidate(p, edges.toArray());
            } else if (inside(p, minX + (c + 0.5) * cellW, minY + (r + 0.5) * cellH)) {
              cand = new Candidate(p, null);
            } else {
              continue;
            }
            List<Candidate> list = cells.get(r * cols + c);
            if (list == null) {
              list = new ArrayList<>(2);
              cells.set(r * cols + c, list);
            }
            list.add(cand);
          }
        }
      }
      return cells;
    }

    private int col(double x) {
      return Math.max(0, Math.min(cols - 1, (int) Math.floor((x - minX) / cellW)));
    }

    private int row(double y) {
      return Math.max(0, Math.min(rows - 1, (int) Math.floor((y - minY) / cellH)));
    }

    private boolean inside(int p, double x, double y) {
      return locators[p].locate(new Coordinate(x, y)) != Location.EXTERIOR;
    }

    /** The node value for a cell: a leaf code, or the index of its 4×4 children. */
    private int resolve(
        double ax, double ay, double w, double h, List<Candidate> cands, int depth) {
      // Polygons after the first one covering the whole cell can never win in it.
      int keep = 0;
      while (keep < cands.size() && cands.get(keep).edges() != null) {
        keep++;
      }
      List<Candidate> live = keep < cands.size() ? cands.subList(0, keep + 1) : cands;
      if (live.isEmpty()) {
        return EMPTY;
      }
      if (live.get(0).edges() == null) {
        return -2 - live.get(0).polygon();
      }
      if (depth == maxDepth) {
        return mixedLeaf(live);
      }
      int base = nodes.size();
      nodes.fill(B * B, EMPTY);
      double cw = w / B;
      double ch = h / B;
      List<List<Candidate>> children = new ArrayList<>(B * B);
      for (int k = 0; k < B * B; k++) {
        children.add(new ArrayList<>(live.size()));
      }
      for (Candidate cand : live) {
        if (cand.edges() == null) {
          children.forEach(child -> child.add(cand));
          continue;
        }
        IntList[] sub = split(cand, ax, ay, cw, ch);
        // Children no edge of this polygon touches are wholly inside or outside it, and so is any
        // such child next to them: one point test per group of them.
        int[] status = new int[B * B];
        for (int k = 0; k < B * B; k++) {
          if (sub[k] != null) {
            children.get(k).add(new Candidate(cand.polygon(), sub[k].toArray()));
          } else if (status[k] == 0) {
            int s =
                inside(cand.polygon(), ax + (k % B + 0.5) * cw, ay + (k / B + 0.5) * ch) ? 1 : -1;
            flood(k, s, status, sub);
          }
        }
        for (int k = 0; k < B * B; k++) {
          if (status[k] == 1) {
            children.get(k).add(new Candidate(cand.polygon(), null));
          }
        }
      }
      for (int k = 0; k < B * B; k++) {
        List<Candidate> child = children.get(k);
        // Children collect candidates polygon by polygon, so restore the list order.
        child.sort(java.util.Comparator.comparingInt(Candidate::polygon));
        nodes.set(
            base + k, resolve(ax + (k % B) * cw, ay + (k / B) * ch, cw, ch, child, depth + 1));
      }
      return base;
    }

    private void flood(int start, int s, int[] status, IntList[] sub) {
      int[] stack = new int[B * B];
      int top = 0;
      stack[top++] = start;
      status[start] = s;
      while (top > 0) {
        int k = stack[--top];
        int kx = k % B;
        int ky = k / B;
        int[] next = {
          kx > 0 ? k - 1 : -1, kx < B - 1 ? k + 1 : -1, ky > 0 ? k - B : -1, ky < B - 1 ? k + B : -1
        };
        for (int n : next) {
          if (n >= 0 && sub[n] == null && status[n] == 0) {
            status[n] = s;
            stack[top++] = n;
          }
        }
      }
    }

    /**
     * The candidate's edges touching each child cell (null where none does), in one pass over them.
     */
    private IntList[] split(Candidate cand, double ax, double ay, double cw, double ch) {
      double[] x = xs[cand.polygon()];
      double[] y = ys[cand.polygon()];
      IntList[] out = new IntList[B * B];
      for (int e : cand.edges()) {
        int c0 = Math.max(0, (int) Math.floor((Math.min(x[e], x[e + 1]) - EPS - ax) / cw));
        int c1 = Math.min(B - 1, (int) Math.floor((Math.max(x[e], x[e + 1]) + EPS - ax) / cw));
        int r0 = Math.max(0, (int) Math.floor((Math.min(y[e], y[e + 1]) - EPS - ay) / ch));
        int r1 = Math.min(B - 1, (int) Math.floor((Math.max(y[e], y[e + 1]) + EPS - ay) / ch));
        for (int r = r0; r <= r1; r++) {
          for (int c = c0; c <= c1; c++) {
            double bx = ax + c * cw;
            double by = ay + r * ch;
            if (segmentTouchesRect(
                x[e], y[e], x[e + 1], y[e + 1], bx - EPS, by - EPS, bx + cw + EPS, by + ch + EPS)) {
              int k = r * B + c;
              if (out[k] == null) {
                out[k] = new IntList();
              }
              out[k].add(e);
            }
          }
        }
      }
      return out;
    }

    private int mixedLeaf(List<Candidate> live) {
      int[] entries = new int[live.size()];
      for (int i = 0; i < entries.length; i++) {
        entries[i] = live.get(i).polygon() << 1 | (live.get(i).edges() == null ? 1 : 0);
      }
      // Most leaves hold one or two entries; a long key avoids hashing lists for them.
      Object key =
          entries.length == 1
              ? (Object) (long) entries[0]
              : entries.length == 2
                  ? (Object) (((long) entries[0] << 32) | (entries[1] & 0xffffffffL) | (1L << 63))
                  : java.util.Arrays.toString(entries);
      Integer code = mixedCodes.get(key);
      if (code == null) {
        code = size + mixed.size();
        mixed.add(entries);
        mixedCodes.put(key, code);
      }
      return -2 - code;
    }
  }

  /** A growable int array; the cell arrays of a country-sized index hold millions of entries. */
  private static final class IntList {
    private int[] a = new int[16];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    void fill(int count, int v) {
      if (n + count > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + count));
      }
      Arrays.fill(a, n, n + count, v);
      n += count;
    }

    void set(int i, int v) {
      a[i] = v;
    }

    int size() {
      return n;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }

  private static final class DoubleList {
    private double[] a = new double[64];
    private int n;

    void add(double v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
