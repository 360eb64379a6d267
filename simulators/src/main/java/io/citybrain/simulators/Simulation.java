package io.citybrain.simulators;

import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Json;
import io.citybrain.contract.Reading;
import io.citybrain.geo.RoadSegment;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Plays a scenario on a fleet: every device reports at its own interval of simulated time, with
 * diurnal behaviour and noise, the scenario's effect on its targets, and the configured chaos.
 * Simulated time runs {@code speed} times as fast as the wall clock from {@code start}; event
 * timestamps are simulated time, so they stay consistent at any speed. Deterministic for a seed
 * (the order messages leave in, not their wall-clock pacing). For use from one thread.
 */
public final class Simulation {

  /**
   * @param duration simulated time to play, or null to run until stopped
   * @param start simulated time at the beginning
   * @param omitFixedPositions fixed devices send no {@code lat}/{@code lon}, as real ones that were
   *     registered at installation often do; the bridge then places them from its device registry.
   *     Moving devices always send theirs (the contract requires it).
   * @param live simulated time is the wall clock (speed 1); a {@code start} in the past is played
   *     at once, as the history of a city that was already running
   */
  public record Settings(
      long seed,
      Scenario scenario,
      double speed,
      Duration duration,
      Instant start,
      Chaos chaos,
      boolean omitFixedPositions,
      boolean live) {
    public Settings {
      if (live && speed != 1) {
        throw new IllegalArgumentException("a live simulation runs at speed 1, got " + speed);
      }
      if (!(speed > 0 && speed <= 100_000)) {
        throw new IllegalArgumentException("--speed must be within (0, 100000], got " + speed);
      }
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new IllegalArgumentException("--duration must be positive, got " + duration);
      }
    }

    public Settings(
        long seed,
        Scenario scenario,
        double speed,
        Duration duration,
        Instant start,
        Chaos chaos,
        boolean omitFixedPositions) {
      this(seed, scenario, speed, duration, start, chaos, omitFixedPositions, false);
    }

    /** Every device sends its position. */
    public Settings(
        long seed, Scenario scenario, double speed, Duration duration, Instant start, Chaos chaos) {
      this(seed, scenario, speed, duration, start, chaos, false);
    }

    /**
     * The local city's own simulation: live, from the minute boundary {@link #liveStart} picks, so
     * the first one-minute window closes within 30 s and holds its whole minute.
     */
    public static Settings live(long seed, Scenario scenario, Instant now) {
      return new Settings(seed, scenario, 1, null, liveStart(now), Chaos.NONE, false, true);
    }

    /**
     * The minute boundary a live city starts at: this minute's when it began at least 30 s ago (its
     * window ends within 30 s), else the one before (that window has ended, and the next one ends
     * within 60 s of it). The minutes before now are played at once: at most 90 s of the fleet's
     * readings, a few thousand messages. Indicators then come within about 30 s of the simulation's
     * start instead of up to 60 s, and the first window is whole, not a fraction of a minute.
     */
    static Instant liveStart(Instant now) {
      Instant minute = now.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
      return Duration.between(minute, now).getSeconds() >= 30
          ? minute
          : minute.minus(Duration.ofMinutes(1));
    }
  }

  private static final Map<String, Long> INTERVAL_MS =
      Map.of(
          "traffic/loop",
          60_000L,
          "traffic/probe",
          15_000L,
          "utility/water",
          60_000L,
          "utility/power",
          60_000L,
          "utility/gas",
          60_000L,
          "emergency/smoke",
          600_000L,
          "emergency/flood",
          120_000L,
          "emergency/sos",
          3_600_000L,
          "community/ticket",
          600_000L);

  private final Fleet fleet;
  private final Settings settings;
  private final Random random;
  private final Roads roads;
  private final Map<String, RoadSegment> segments = new HashMap<>();
  private final PriorityQueue<long[]> due =
      new PriorityQueue<>(
          (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
  private final long[] skew;
  private final ProbeState[] probes;
  private final Deque<Message> heldBack = new ArrayDeque<>();
  private final List<long[]> pendingResolutions = new ArrayList<>();
  private int ticketCounter;

  private static final class ProbeState {
    RoadSegment segment;
    double fraction;
    boolean forward;
  }

  public Simulation(Fleet fleet, Settings settings) {
    this.fleet = fleet;
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.roads = new Roads(fleet.city().roads());
    fleet.city().roads().forEach(s -> segments.put(s.id(), s));
    List<Fleet.Device> ds = fleet.devices();
    this.skew = new long[ds.size()];
    this.probes = new ProbeState[ds.size()];
    long start = settings.start().toEpochMilli();
    for (int i = 0; i < ds.size(); i++) {
      Fleet.Device d = ds.get(i);
      long interval = INTERVAL_MS.get(d.domain() + "/" + d.kind());
      due.add(new long[] {start + (long) (random.nextDouble() * interval), i});
      if (random.nextDouble() * 100 < settings.chaos().skewedPct()) {
        skew[i] = (long) ((random.nextDouble() * 2 - 1) * settings.chaos().maxSkewMs());
      }
      if ("probe".equals(d.kind())) {
        ProbeState p = new ProbeState();
        p.segment = segments.get(d.segment());
        p.fraction = 0.5;
        p.forward = p.segment.oneway() || random.nextBoolean();
        probes[i] = p;
      }
    }
    scheduleScenarioEvents(start);
  }

  /** One-off events of the scenario: fire alarms, the SOS press, the backlog of tickets. */
  private void scheduleScenarioEvents(long start) {
    long onset = start + settings.scenario().onset.toMillis();
    List<Fleet.Device> ds = fleet.devices();
    switch (settings.scenario()) {
      case FIRE -> {
        int n = 0;
        for (int i = 0; i < ds.size() && n < 2; i++) {
          if (fleet.fireBuilding().equals(ds.get(i).building())) {
            due.add(new long[] {onset + n * 30_000L, i, 1});
            n++;
          }
        }
      }
      case SOS -> {
        for (int i = 0; i < ds.size(); i++) {
          if ("sos".equals(ds.get(i).kind())) {
            due.add(new long[] {onset, i, 1});
            break;
          }
        }
      }
      case TICKET_BACKLOG -> {
        List<Integer> hotlines = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
          if ("ticket".equals(ds.get(i).kind())) {
            hotlines.add(i);
          }
        }
        long step = settings.scenario().length.toMillis() / 50;
        for (int k = 0; k < 50; k++) {
          due.add(new long[] {onset + k * step, hotlines.get(k % hotlines.size()), 2});
        }
      }
      default -> {}
    }
  }

  /**
   * Plays until the duration is over or {@code stopped} says so; reports progress once a second.
   */
  public void run(
      Publisher publisher, Stats stats, BooleanSupplier stopped, Consumer<String> progress)
      throws InterruptedException {
    long wall0 = System.nanoTime();
    long start = settings.start().toEpochMilli();
    long end =
        settings.duration() == null ? Long.MAX_VALUE : start + settings.duration().toMillis();
    long lastReport = wall0;
    long lastSent = 0;
    while (!stopped.getAsBoolean()) {
      long simNow =
          settings.live()
              ? Math.max(start, System.currentTimeMillis())
              : start + (long) ((System.nanoTime() - wall0) / 1e6 * settings.speed());
      long until = Math.min(simNow, end);
      while (nextDue() <= until) {
        for (Message m : next()) {
          publisher.publish(m);
        }
      }
      long now = System.nanoTime();
      if (now - lastReport >= 1_000_000_000L) {
        long sent = stats.sent();
        progress.accept(
            String.format(
                java.util.Locale.ROOT,
                "sim %s (x%.0f)  sent %,d (%,d/s)  acked %,d  failed %,d",
                Instant.ofEpochMilli(until),
                settings.speed(),
                sent,
                (sent - lastSent) * 1_000_000_000L / (now - lastReport),
                stats.acked(),
                stats.failed()));
        lastReport = now;
        lastSent = sent;
      }
      if (simNow >= end) {
        break;
      }
      if (nextDue() > simNow) {
        Thread.sleep(5);
      }
    }
    while (!heldBack.isEmpty()) {
      publisher.publish(heldBack.poll());
    }
  }

  /** Simulated time of the next device event ({@link Long#MAX_VALUE} when none is due). */
  public long nextDue() {
    return due.isEmpty() ? Long.MAX_VALUE : due.peek()[0];
  }

  /** The messages of the next due device event, after chaos. Exposed for tests and benchmarks. */
  public List<Message> next() {
    long[] e = due.poll();
    long ts = e[0];
    int i = (int) e[1];
    Fleet.Device d = fleet.devices().get(i);
    if (e.length == 2) {
      long interval = INTERVAL_MS.get(d.domain() + "/" + d.kind());
      due.add(new long[] {ts + interval, i});
    }
    if (e.length == 2 && droppedOut(i, ts)) {
      return List.of();
    }
    Map<String, Object> payload = reading(d, i, ts, e.length == 3 ? e[2] : 0);
    if (payload == null) {
      return List.of();
    }
    payload.put("ts", ts + skew[i]);
    if (!settings.omitFixedPositions() || moving(d)) {
      payload.put(
          "lat", round(d.kind().equals("probe") ? (Double) payload.remove("_lat") : d.lat()));
      payload.put(
          "lon", round(d.kind().equals("probe") ? (Double) payload.remove("_lon") : d.lon()));
    }
    Message m = new Message(d.topic(), toJson(payload), d.domain() + "/" + d.kind(), ts);
    List<Message> out = new ArrayList<>();
    for (Message c : settings.chaos().apply(m, random)) {
      if (settings.chaos().holdBack(random)) {
        heldBack.add(c);
      } else {
        out.add(c);
        if (!heldBack.isEmpty() && random.nextBoolean()) {
          out.add(heldBack.poll());
        }
      }
    }
    return out;
  }

  /** As the bridge decides it: only a fixed device may leave its position to the registry. */
  private static boolean moving(Fleet.Device d) {
    return DeviceKind.of(d.domain(), d.kind()).map(DeviceKind::moving).orElse(true);
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  /** A device of the dropout share is silent for the first ten minutes of each hour. */
  private boolean droppedOut(int i, long ts) {
    double pct = settings.chaos().dropoutPct();
    if (pct == 0) {
      return false;
    }
    long hour = ts / 3_600_000L;
    return Math.floorMod((i * 31L + hour * 17L), 100) < pct && ts % 3_600_000L < 600_000L;
  }

  private Map<String, Object> reading(Fleet.Device d, int i, long ts, long special) {
    Scenario sc = settings.scenario();
    long elapsed = ts - settings.start().toEpochMilli();
    boolean active = sc.active(elapsed);
    Map<String, Object> p = new LinkedHashMap<>();
    double hour = hourOfDay(ts);
    switch (d.kind()) {
      case "loop" -> {
        RoadSegment s = segments.get(d.segment());
        double speed = trafficSpeed(s, ts, active);
        double c = congestion(ts, active);
        p.put(
            Reading.COUNT,
            (long)
                Math.max(
                    0,
                    Math.round(s.freeFlowKmh() / 60.0 * (5 + 25 * c) + random.nextGaussian() * 2)));
        p.put(Reading.INTERVAL_S, 60);
        p.put(Reading.SPEED_KMH, round1(speed));
        p.put(Reading.OCCUPANCY, round3(Math.min(1.0, 0.03 + 0.6 * c * c)));
      }
      case "probe" -> {
        ProbeState st = probes[i];
        double speed = trafficSpeed(st.segment, ts, active);
        drive(st, speed * INTERVAL_MS.get("traffic/probe") / 3_600_000.0 * 1000.0);
        var c = Roads.pointAt(st.segment, st.fraction);
        p.put("_lat", c.y);
        p.put("_lon", c.x);
        p.put(Reading.SPEED_KMH, round1(speed));
        p.put(Reading.HEADING_DEG, round1(Roads.headingAt(st.segment, st.fraction, st.forward)));
      }
      case "water" -> {
        double demand = waterDemand(hour);
        double flow = 1.2 * demand * (1 + 0.05 * random.nextGaussian());
        double pressure = 320 - 25 * demand + 2 * random.nextGaussian();
        if (sc == Scenario.WATER_BURST
            && active
            && fleet.burstZone().equals(d.zone())
            && d.id().compareTo("water-000003") < 0) {
          pressure *= 0.6;
          flow *= 1.5;
        }
        p.put(Reading.FLOW_M3H, round3(Math.max(0, flow)));
        p.put(Reading.PRESSURE_KPA, round1(pressure));
      }
      case "power" -> {
        double kw =
            (0.4
                    + 2.2 * Math.exp(-Math.pow((hour - 20) / 2.0, 2))
                    + 0.6 * Math.exp(-Math.pow((hour - 8) / 1.5, 2)))
                * (1 + 0.08 * random.nextGaussian());
        double volts = 220 + 2.5 * random.nextGaussian();
        if (sc == Scenario.POWER_OUTAGE && active && fleet.outageZone().equals(d.zone())) {
          kw = 0;
          volts = 3 + random.nextDouble() * 4;
        }
        p.put(Reading.KW, round3(Math.max(0, kw)));
        p.put(Reading.VOLTAGE_V, round1(volts));
      }
      case "gas" -> {
        p.put(Reading.PRESSURE_KPA, round3(2.0 + 0.03 * random.nextGaussian()));
        p.put(
            Reading.PPM,
            round1(
                sc == Scenario.GAS_LEAK && active && d.id().equals("gas-000000")
                    ? 8000
                    : Math.max(0, 5 + 3 * random.nextGaussian())));
      }
      case "smoke" -> p.put(Reading.ALARM, special == 1);
      case "flood" -> {
        double depth = Math.max(0, 0.5 + 0.5 * random.nextGaussian());
        if (sc == Scenario.FLOOD && active && d.id().equals("flood-000000")) {
          double x = (double) (elapsed - sc.onset.toMillis()) / sc.length.toMillis();
          depth = 35 * (1 - Math.abs(2 * x - 1)) + 0.5;
        }
        p.put(Reading.DEPTH_CM, round1(depth));
      }
      case "sos" -> {
        boolean pressed = special == 1 || random.nextDouble() < 1e-4;
        if (!pressed) {
          return null; // wearables only speak when pressed
        }
        p.put(Reading.PRESSED, true);
      }
      default -> { // ticket
        return ticket(d, ts, special);
      }
    }
    return p;
  }

  private Map<String, Object> ticket(Fleet.Device d, long ts, long special) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int k = 0; k < pendingResolutions.size(); k++) {
      long[] r = pendingResolutions.get(k);
      if (r[0] <= ts && fleet.devices().get((int) r[2]).id().equals(d.id())) {
        pendingResolutions.remove(k);
        p.put(Reading.TICKET_ID, "T-" + r[1]);
        p.put(Reading.CATEGORY, CATEGORIES[(int) (r[1] % CATEGORIES.length)]);
        p.put(Reading.STATUS, "resolved");
        return p;
      }
    }
    boolean backlog = special == 2;
    if (!backlog && random.nextDouble() > 0.3) {
      return null; // a hotline does not file a ticket every ten minutes
    }
    int id = ++ticketCounter;
    p.put(Reading.TICKET_ID, "T-" + id);
    p.put(Reading.CATEGORY, CATEGORIES[id % CATEGORIES.length]);
    p.put(Reading.STATUS, "opened");
    if (!backlog) {
      // Most tickets are handled well within their deadline (the shortest is four hours).
      pendingResolutions.add(
          new long[] {
            ts + 600_000L + (long) (random.nextDouble() * 3 * 3_600_000L),
            id,
            fleet.devices().indexOf(d)
          });
    }
    return p;
  }

  private static final String[] CATEGORIES = {"water", "power", "noise", "sanitation", "safety"};

  private double congestion(long ts, boolean active) {
    return settings.scenario() == Scenario.RUSH_HOUR && active
        ? 0.95
        : Readings.congestion(ts, fleet.zone());
  }

  private double trafficSpeed(RoadSegment s, long ts, boolean active) {
    double v = Readings.speedKmh(s.freeFlowKmh(), congestion(ts, active), random.nextGaussian());
    if (settings.scenario() == Scenario.INCIDENT
        && active
        && s.id().equals(fleet.incidentSegment())) {
      v *= 0.1;
    }
    return v;
  }

  private void drive(ProbeState st, double metres) {
    double remaining = metres;
    for (int hop = 0; hop < 20 && remaining > 0; hop++) {
      double left = (st.forward ? 1 - st.fraction : st.fraction) * st.segment.lengthM();
      if (remaining < left) {
        st.fraction += (st.forward ? 1 : -1) * remaining / st.segment.lengthM();
        return;
      }
      remaining -= left;
      Roads.Next n = roads.next(st.segment, st.forward, random);
      st.segment = n.segment();
      st.forward = n.forward();
      st.fraction = n.forward() ? 0 : 1;
    }
  }

  private double hourOfDay(long ts) {
    ZonedDateTime t = Instant.ofEpochMilli(ts).atZone(fleet.zone());
    return t.getHour() + t.getMinute() / 60.0;
  }

  /** Residential water demand, 0..1: low at night, peaks at 07:30 and 19:30. */
  static double waterDemand(double hour) {
    return 0.15
        + 0.55 * Math.exp(-Math.pow((hour - 7.5) / 1.3, 2))
        + 0.6 * Math.exp(-Math.pow((hour - 19.5) / 1.8, 2))
        + (hour > 9 && hour < 17 ? 0.2 : 0);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static byte[] toJson(Map<String, Object> payload) {
    try {
      return Json.MAPPER.writeValueAsBytes(payload);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
