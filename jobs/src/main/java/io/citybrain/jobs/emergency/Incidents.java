package io.citybrain.jobs.emergency;

import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Reading;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The incident rules, as pure functions from (state, input, processing time) to (next state, the
 * alerts to send). No Flink here: {@link IncidentLifecycle} stores the state and sets the timers.
 *
 * <p>One incident, one alert id, whatever happens to it: repeats update the state silently, and
 * only a transition (raised, upgraded, escalated, re-notified, acknowledged, resolved) is sent.
 *
 * <ul>
 *   <li>Fire: one alarm is {@code fire_unconfirmed} (warning, community); a second detector of the
 *       same building within the fire window upgrades the same alert to {@code fire} (critical,
 *       district). Resolved after a quiet period without alarms.
 *   <li>SOS: critical to the community at once; escalated to the district if not acknowledged in
 *       time, then sent again at an interval until acknowledged; resolved a quiet period after the
 *       acknowledgement.
 *   <li>Flood: ≥ warning depth is a warning, ≥ critical depth critical (severity only rises while
 *       the incident lasts, so a gauge hovering at the threshold does not flap); resolved below the
 *       warning depth.
 *   <li>Tickets: a yellow card ({@code ticket_overdue}, warning) at 80% of the category's deadline,
 *       a red card (critical, escalated to the district) at the deadline; resolved with the ticket.
 * </ul>
 *
 * Every critical alert not acknowledged within the escalation time is escalated.
 *
 * <p>Cool-down: a resolved fire, SOS or flood is remembered for the cool-down; a repeat within it
 * re-opens the same alert (same id, {@code raised} again) rather than raising a new one, so a gauge
 * hovering at a threshold or a detector that keeps waking up stays one incident. Tickets have their
 * own identity and are forgotten when resolved.
 */
public final class Incidents {
  private Incidents() {}

  /**
   * The next state (null: the incident is over and its state is freed), the alerts to send and, for
   * tickets, the steps the {@code community_tickets} indicators count.
   */
  public record Result(Incident next, List<Alert> alerts, List<TicketEvent> tickets) {
    Result(Incident next, List<Alert> alerts) {
      this(next, alerts, List.of());
    }

    static Result unchanged(Incident inc) {
      return new Result(inc, List.of());
    }
  }

  public static Result onSignal(Incident current, Signal s, EmergencySettings cfg, long now) {
    if (current != null && Alert.STATE_RESOLVED.equals(current.state)) {
      return reopen(current, s, cfg, now);
    }
    Incident inc = current == null ? null : current.copy();
    return switch (s.family()) {
      case Signals.FIRE -> fire(inc, s, cfg, now);
      case Signals.SOS -> sos(inc, s, cfg, now);
      case Signals.FLOOD -> flood(inc, s, cfg, now);
      case Signals.TICKET -> ticket(inc, s, cfg, now);
      default -> Result.unchanged(current);
    };
  }

  /** A signal for an incident in its cool-down: what a new incident would say, under the old id. */
  private static Result reopen(Incident cooling, Signal s, EmergencySettings cfg, long now) {
    Result fresh = onSignal(null, s, cfg, now);
    if (fresh.next() == null || fresh.alerts().isEmpty()) {
      return Result.unchanged(cooling);
    }
    Incident reopened = fresh.next();
    reopened.alertId = cooling.alertId;
    reopened.startTs = cooling.startTs;
    return new Result(reopened, List.of(toAlert(reopened, s.ts())));
  }

  /** Resolves the incident: tickets are forgotten at once, the others cool down first. */
  private static Result resolve(
      Incident inc, long ts, long now, EmergencySettings cfg, List<TicketEvent> tickets) {
    return resolve(inc, ts, now, cfg, tickets, null);
  }

  /**
   * @param change who resolved it and why, or null when the job did (quiet, a ticket closed)
   */
  private static Result resolve(
      Incident inc,
      long ts,
      long now,
      EmergencySettings cfg,
      List<TicketEvent> tickets,
      Change change) {
    inc.state = Alert.STATE_RESOLVED;
    Alert resolved = toAlert(inc, ts, change);
    if (Signals.TICKET.equals(inc.family)) {
      return new Result(null, List.of(resolved), tickets);
    }
    inc.escalateAt = 0;
    inc.renotifyAt = 0;
    inc.resolveAt = 0;
    inc.cardAt = 0;
    inc.forgetAt = now + cfg.cooldown().toMillis();
    return new Result(inc, List.of(resolved), tickets);
  }

  private static Incident open(Signal s, String kind, String severity, String scope) {
    Incident inc = new Incident();
    inc.key = s.key();
    inc.family = s.family();
    inc.alertId = Signals.alertId(s.family(), s.ts(), s.subject());
    inc.kind = kind;
    inc.severity = severity;
    inc.state = Alert.STATE_RAISED;
    inc.scope = s.community() == null ? Alert.SCOPE_DISTRICT : scope;
    inc.district = s.district();
    inc.community = s.community();
    inc.lat = s.lat();
    inc.lon = s.lon();
    inc.startTs = s.ts();
    inc.lastTs = s.ts();
    inc.alerted = true;
    inc.fireStation = s.fireStation();
    inc.fireStationM = s.fireStationM();
    return inc;
  }

  private static Result fire(Incident inc, Signal s, EmergencySettings cfg, long now) {
    if (!s.on()) {
      return Result.unchanged(inc);
    }
    boolean isNew = inc == null;
    if (isNew) {
      inc = open(s, "fire_unconfirmed", Alert.SEVERITY_WARNING, Alert.SCOPE_COMMUNITY);
    }
    recordDetector(inc, s.deviceId(), s.ts(), cfg.fireWindow().toMillis());
    inc.lastTs = Math.max(inc.lastTs, s.ts());
    inc.resolveAt = now + cfg.quietToResolve().toMillis();
    boolean confirmed = inc.detectors.length >= 2;
    if (confirmed && !"fire".equals(inc.kind)) {
      inc.kind = "fire";
      critical(inc, cfg, now);
      return new Result(inc, List.of(toAlert(inc, s.ts())));
    }
    return isNew ? new Result(inc, List.of(toAlert(inc, s.ts()))) : Result.unchanged(inc);
  }

  /**
   * Keeps the detectors heard within the window before {@code ts}, with {@code id} at {@code ts}.
   */
  private static void recordDetector(Incident inc, String id, long ts, long windowMs) {
    Map<String, Long> kept = new LinkedHashMap<>();
    for (int i = 0; i < inc.detectors.length; i++) {
      if (inc.detectorTs[i] >= ts - windowMs) {
        kept.put(inc.detectors[i], inc.detectorTs[i]);
      }
    }
    kept.merge(id, ts, Math::max);
    inc.detectors = kept.keySet().toArray(new String[0]);
    inc.detectorTs = kept.values().stream().mapToLong(Long::longValue).toArray();
  }

  private static void critical(Incident inc, EmergencySettings cfg, long now) {
    inc.severity = Alert.SEVERITY_CRITICAL;
    inc.scope = Alert.SCOPE_DISTRICT;
    // An upgrade is news even to whoever acknowledged the lesser alert.
    inc.state = Alert.STATE_RAISED;
    inc.ackedBy = null;
    inc.escalateAt = now + cfg.escalateAfter().toMillis();
  }

  private static Result sos(Incident inc, Signal s, EmergencySettings cfg, long now) {
    if (!s.on()) {
      return Result.unchanged(inc);
    }
    if (inc != null) {
      inc.lastTs = Math.max(inc.lastTs, s.ts());
      return Result.unchanged(inc);
    }
    inc = open(s, "sos", Alert.SEVERITY_CRITICAL, Alert.SCOPE_COMMUNITY);
    inc.escalateAt = now + cfg.escalateAfter().toMillis();
    return new Result(inc, List.of(toAlert(inc, s.ts())));
  }

  private static Result flood(Incident inc, Signal s, EmergencySettings cfg, long now) {
    double depth = s.value();
    if (depth < cfg.floodWarningCm()) {
      if (inc == null) {
        return Result.unchanged(null);
      }
      inc.value = depth;
      return resolve(inc, s.ts(), now, cfg, List.of());
    }
    boolean critical = depth >= cfg.floodCriticalCm();
    if (inc == null) {
      inc = open(s, "flood", Alert.SEVERITY_WARNING, Alert.SCOPE_COMMUNITY);
      inc.value = depth;
      if (critical) {
        critical(inc, cfg, now);
      }
      return new Result(inc, List.of(toAlert(inc, s.ts())));
    }
    inc.value = Math.max(inc.value, depth);
    inc.lastTs = Math.max(inc.lastTs, s.ts());
    if (critical && !Alert.SEVERITY_CRITICAL.equals(inc.severity)) {
      critical(inc, cfg, now);
      return new Result(inc, List.of(toAlert(inc, s.ts())));
    }
    return Result.unchanged(inc);
  }

  private static Result ticket(Incident inc, Signal s, EmergencySettings cfg, long now) {
    if ("resolved".equals(s.status())) {
      if (inc == null) {
        return new Result(null, List.of());
      }
      // Handling time on the ticket system's own stamps: what the resident waited, unaffected by
      // how late the readings reached us.
      List<TicketEvent> step =
          List.of(
              ticketEvent(inc, TicketEvent.RESOLVED, s.ts(), Math.max(0, s.ts() - inc.startTs)));
      if (!inc.alerted) {
        return new Result(null, List.of(), step);
      }
      return resolve(inc, s.ts(), now, cfg, step);
    }
    if (inc != null) {
      return Result.unchanged(inc);
    }
    // Tracking only: no alert until the yellow card. The deadline runs from when the city brain
    // learned of the ticket (processing time): supervision measures how fast the city answers.
    inc = open(s, "ticket_overdue", Alert.SEVERITY_WARNING, Alert.SCOPE_COMMUNITY);
    inc.alerted = false;
    inc.category = s.category();
    long deadline = cfg.deadlineOf(s.category()).toMillis();
    inc.cardAt = now + deadline * 8 / 10;
    inc.deadlineAt = now + deadline;
    return new Result(inc, List.of(), List.of(ticketEvent(inc, TicketEvent.OPENED, s.ts(), 0)));
  }

  private static TicketEvent ticketEvent(Incident inc, String type, long ts, long handlingMs) {
    return new TicketEvent(inc.district, inc.community, subject(inc), type, ts, handlingMs);
  }

  /**
   * Why {@code ack} may not be applied to {@code current}, or null when it may (or when it would
   * change nothing anyway: another incident's, or none). An acknowledgement without a role comes
   * from an open city, where nobody is checked; one with a role is applied only when that role and
   * scope cover the incident's district and community ({@link io.citybrain.users.Role#covers}).
   */
  public static String refusal(Incident current, Ack ack) {
    if (current == null
        || !current.alerted
        || !current.alertId.equals(ack.alertId())
        || ack.role() == null) {
      return null;
    }
    boolean covered =
        io.citybrain.users.Role.of(ack.role())
            .filter(r -> r.covers(ack.scope(), current.district, current.community))
            .isPresent();
    return covered
        ? null
        : (ack.by()
            + " ("
            + ack.role()
            + (ack.scope() == null ? "" : " of " + ack.scope())
            + ") may not "
            + ack.actionOrDefault()
            + " an alert of district "
            + current.district
            + (current.community == null ? "" : ", community " + current.community));
  }

  /**
   * A person's action on the incident's alert (issue 20): acknowledge (contract v1), resolve with a
   * reason, assign to someone, comment. Each that changes something is one more alert record naming
   * who did what ({@link Alert#actor()}, {@link Alert#action()}, {@link Alert#note()}); an
   * assignment or a comment leaves the state as it was. Acknowledging twice, or acting on a
   * resolved alert (except commenting while it cools down), changes nothing.
   */
  public static Result onAck(Incident current, Ack ack, EmergencySettings cfg, long now) {
    if (current == null || !current.alerted || !current.alertId.equals(ack.alertId())) {
      return Result.unchanged(current);
    }
    boolean resolved = Alert.STATE_RESOLVED.equals(current.state);
    Incident inc = current.copy();
    switch (ack.actionOrDefault()) {
      case Ack.RESOLVE -> {
        if (resolved) {
          return Result.unchanged(current);
        }
        return resolve(
            inc,
            ack.ts(),
            now,
            cfg,
            List.of(),
            new Change(ack.by(), Alert.ACTION_RESOLVED, ack.note()));
      }
      case Ack.ASSIGN -> {
        if (resolved) {
          return Result.unchanged(current);
        }
        inc.assignee = ack.assignee();
        return new Result(
            inc,
            List.of(
                toAlert(inc, ack.ts(), new Change(ack.by(), Alert.ACTION_ASSIGNED, ack.note()))));
      }
      case Ack.COMMENT -> {
        return new Result(
            inc,
            List.of(
                toAlert(inc, ack.ts(), new Change(ack.by(), Alert.ACTION_COMMENTED, ack.note()))));
      }
      default -> {
        if (resolved || Alert.STATE_ACKNOWLEDGED.equals(current.state)) {
          return Result.unchanged(current);
        }
        inc.state = Alert.STATE_ACKNOWLEDGED;
        inc.ackedBy = ack.by();
        inc.ackedTs = ack.ts();
        inc.escalateAt = 0;
        inc.renotifyAt = 0;
        if (Signals.SOS.equals(inc.family)) {
          inc.resolveAt = now + cfg.quietToResolve().toMillis();
        }
        return new Result(
            inc,
            List.of(
                toAlert(
                    inc, ack.ts(), new Change(ack.by(), Alert.ACTION_ACKNOWLEDGED, ack.note()))));
      }
    }
  }

  /** Who changed an alert, how, and the text they gave; the job's own changes have none. */
  record Change(String actor, String action, String note) {}

  public static Result onTimer(Incident current, long timer, EmergencySettings cfg) {
    if (current == null) {
      return Result.unchanged(null);
    }
    Incident inc = current.copy();
    List<Alert> out = new ArrayList<>();
    List<TicketEvent> tickets = new ArrayList<>();
    if (timer == inc.forgetAt) {
      return new Result(null, List.of());
    }
    if (timer == inc.resolveAt) {
      return resolve(inc, timer, timer, cfg, List.of());
    }
    if (timer == inc.escalateAt) {
      inc.escalateAt = 0;
      if (Alert.STATE_RAISED.equals(inc.state)) {
        inc.state = Alert.STATE_ESCALATED;
        inc.scope = Alert.SCOPE_DISTRICT;
        inc.renotifyAt = timer + cfg.renotifyEvery().toMillis();
        out.add(toAlert(inc, timer));
      }
    }
    if (timer == inc.renotifyAt) {
      inc.renotifyAt = 0;
      if (Alert.STATE_ESCALATED.equals(inc.state)) {
        inc.renotifyAt = timer + cfg.renotifyEvery().toMillis();
        out.add(toAlert(inc, timer));
      }
    }
    if (timer == inc.cardAt) {
      if (!inc.alerted) {
        inc.alerted = true;
        inc.cardAt = inc.deadlineAt;
        out.add(toAlert(inc, timer));
        tickets.add(ticketEvent(inc, TicketEvent.YELLOW_CARD, timer, 0));
      } else {
        inc.cardAt = 0;
        inc.severity = Alert.SEVERITY_CRITICAL;
        inc.state = Alert.STATE_ESCALATED;
        inc.scope = Alert.SCOPE_DISTRICT;
        out.add(toAlert(inc, timer));
        tickets.add(ticketEvent(inc, TicketEvent.RED_CARD, timer, 0));
      }
    }
    return new Result(inc, out, tickets);
  }

  static Alert toAlert(Incident inc, long ts) {
    return toAlert(inc, ts, null);
  }

  static Alert toAlert(Incident inc, long ts, Change change) {
    return new Alert(
        inc.alertId,
        inc.kind,
        inc.severity,
        inc.state,
        inc.district,
        inc.community,
        inc.lat,
        inc.lon,
        ts,
        message(inc),
        evidence(inc),
        inc.scope,
        inc.ackedBy,
        change == null ? null : change.note(),
        change == null ? null : change.actor(),
        change == null ? null : change.action(),
        inc.assignee);
  }

  private static Evidence[] evidence(Incident inc) {
    return switch (inc.family) {
      case Signals.FIRE -> {
        boolean station = inc.fireStation != null;
        Evidence[] e = new Evidence[inc.detectors.length + (station ? 1 : 0)];
        for (int i = 0; i < inc.detectors.length; i++) {
          e[i] = new Evidence(inc.detectors[i], Reading.ALARM, 1, inc.detectorTs[i]);
        }
        if (station) {
          e[inc.detectors.length] =
              new Evidence(
                  inc.fireStation,
                  "fireStationDistanceM",
                  Math.round(inc.fireStationM),
                  inc.lastTs);
        }
        yield e;
      }
      case Signals.FLOOD ->
          new Evidence[] {new Evidence(subject(inc), Reading.DEPTH_CM, inc.value, inc.lastTs)};
      case Signals.TICKET ->
          new Evidence[] {new Evidence(subject(inc), "openedTs", inc.startTs, inc.startTs)};
      default -> new Evidence[] {new Evidence(subject(inc), Reading.PRESSED, 1, inc.lastTs)};
    };
  }

  private static String stationZh(Incident inc) {
    // A city whose package has no fire stations says so: the officer must not read silence as
    // "close by".
    return inc.fireStation == null
        ? "，城市数据中没有消防站"
        : String.format(
            Locale.ROOT, "，最近消防站 %s（直线 %.1f 公里）", inc.fireStation, inc.fireStationM / 1000);
  }

  private static String stationEn(Incident inc) {
    return inc.fireStation == null
        ? "; no fire station in the city's data"
        : String.format(
            Locale.ROOT,
            "; nearest fire station %s, %.1f km in a straight line",
            inc.fireStation,
            inc.fireStationM / 1000);
  }

  private static String subject(Incident inc) {
    return inc.key.substring(inc.key.indexOf('|') + 1);
  }

  private static String message(Incident inc) {
    String s = subject(inc);
    String m =
        switch (inc.kind) {
          case "fire_unconfirmed" ->
              "疑似火情：楼宇 " + s + " 一个烟感报警 / Possible fire: one smoke alarm in building " + s;
          case "fire" ->
              "火警：楼宇 "
                  + s
                  + " "
                  + inc.detectors.length
                  + " 个烟感报警"
                  + stationZh(inc)
                  + " / Fire: "
                  + inc.detectors.length
                  + " smoke alarms in building "
                  + s
                  + stationEn(inc);
          case "flood" ->
              String.format(
                  Locale.ROOT,
                  "积水 %.0f 厘米：水位计 %s / Water-logging of %.0f cm at gauge %s",
                  inc.value,
                  s,
                  inc.value,
                  s);
          case "ticket_overdue" ->
              Alert.SEVERITY_CRITICAL.equals(inc.severity)
                  ? "工单 "
                      + s
                      + "（"
                      + inc.category
                      + "）已超时 / Ticket "
                      + s
                      + " ("
                      + inc.category
                      + ") is overdue"
                  : "工单 "
                      + s
                      + "（"
                      + inc.category
                      + "）即将超时 / Ticket "
                      + s
                      + " ("
                      + inc.category
                      + ") is near its deadline";
          default -> "紧急求助：设备 " + s + " / SOS from device " + s;
        };
    return Alert.STATE_ESCALATED.equals(inc.state) && !"ticket_overdue".equals(inc.kind)
        ? "【未响应，已上报街道】" + m + " — not acknowledged, escalated to the district"
        : m;
  }
}
