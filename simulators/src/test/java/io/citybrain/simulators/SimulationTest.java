package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.contract.Json;
import io.citybrain.geo.CityModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each scenario, played without a broker: the messages are what its description promises. */
class SimulationTest {

  /** 08:00 in Hangzhou. */
  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  private static final Fleet FLEET =
      Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(42), 400, 42);

  /** Plays {@code scenario} on the test fleet from 08:00 in Hangzhou, without a broker. */
  static List<Message> play(Scenario scenario, Duration length, Chaos chaos) {
    Simulation sim =
        new Simulation(FLEET, new Simulation.Settings(42, scenario, 60, length, START, chaos));
    List<Message> out = new ArrayList<>();
    long end = START.toEpochMilli() + length.toMillis();
    while (sim.nextDue() < end) {
      out.addAll(sim.next());
    }
    return out;
  }

  /**
   * The local city's first one-minute window closes within 30 s of start and holds a whole minute.
   */
  @Test
  void aLiveCityStartsAtAMinuteWhoseWindowClosesWithinHalfAMinute() {
    assertThat(Simulation.Settings.liveStart(Instant.parse("2026-12-05T12:00:40Z")))
        .isEqualTo(Instant.parse("2026-12-05T12:00:00Z"));
    assertThat(Simulation.Settings.liveStart(Instant.parse("2026-12-05T12:00:30Z")))
        .isEqualTo(Instant.parse("2026-12-05T12:00:00Z"));
    assertThat(Simulation.Settings.liveStart(Instant.parse("2026-12-05T12:00:29.999Z")))
        .isEqualTo(Instant.parse("2026-12-05T11:59:00Z"));
    for (int s = 0; s < 60; s++) {
      Instant now = Instant.parse("2026-12-05T12:00:00Z").plusSeconds(s);
      Instant start = Simulation.Settings.liveStart(now);
      Instant firstWindowEnd = start.plusSeconds(60);
      Instant nextWindowEnd =
          firstWindowEnd.isAfter(now) ? firstWindowEnd : firstWindowEnd.plusSeconds(60);
      assertThat(Duration.between(now, firstWindowEnd))
          .as("at %s", now)
          .isLessThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(Duration.between(now, nextWindowEnd))
          .as("at %s", now)
          .isLessThanOrEqualTo(Duration.ofSeconds(60));
      assertThat(Duration.between(start, now))
          .as("history played at once")
          .isLessThan(Duration.ofSeconds(90));
    }
    assertThatThrownBy(
            () ->
                new Simulation.Settings(
                    42, Scenario.NORMAL_DAY, 60, null, START, Chaos.NONE, false, true))
        .hasMessageContaining("live simulation runs at speed 1");
  }

  private static JsonNode json(Message m) {
    try {
      return Json.MAPPER.readTree(m.payload());
    } catch (IOException e) {
      throw new AssertionError(new String(m.payload(), StandardCharsets.UTF_8), e);
    }
  }

  private static long elapsedMin(Message m) {
    return (m.eventTs() - START.toEpochMilli()) / 60_000;
  }

  @Test
  void everyMessageOfAnOrdinaryDayPassesTheBridgesValidation() {
    IngestValidator v = new IngestValidator();
    List<Message> day = play(Scenario.NORMAL_DAY, Duration.ofMinutes(30), Chaos.NONE);
    assertThat(day).hasSizeGreaterThan(1000);
    for (Message m : day) {
      IngestResult r = v.validate(m.topic(), m.payload(), m.eventTs() + 1000);
      assertThat(r)
          .as(m.topic() + " " + new String(m.payload(), StandardCharsets.UTF_8))
          .isInstanceOf(IngestResult.Reading.class);
    }
    assertThat(day)
        .extracting(Message::kind)
        .contains(
            "traffic/loop",
            "traffic/probe",
            "utility/water",
            "utility/power",
            "utility/gas",
            "emergency/smoke",
            "emergency/flood",
            "community/ticket");
  }

  @Test
  void theSameSeedGivesTheSameMessages() {
    List<Message> a = play(Scenario.NORMAL_DAY, Duration.ofMinutes(10), Chaos.NONE);
    List<Message> b = play(Scenario.NORMAL_DAY, Duration.ofMinutes(10), Chaos.NONE);
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).topic()).isEqualTo(b.get(i).topic());
      assertThat(a.get(i).payload()).isEqualTo(b.get(i).payload());
    }
  }

  @Test
  void probesDriveAlongTheRoadNetwork() {
    List<Message> probes =
        play(Scenario.NORMAL_DAY, Duration.ofMinutes(10), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("traffic/probe"))
            .toList();
    long onRoad =
        probes.stream()
            .filter(
                m -> {
                  JsonNode j = json(m);
                  return CityModel.generate(42)
                      .index()
                      .matchRoad(
                          j.get("lon").asDouble(),
                          j.get("lat").asDouble(),
                          j.get("headingDeg").asDouble())
                      .isPresent();
                })
            .count();
    // Positions are rounded to 1e-6° (~0.1 m); headings follow the road.
    assertThat(onRoad).isEqualTo(probes.size());
  }

  @Test
  void theIncidentSegmentSlowsToATenthDuringTheIncident() {
    List<Message> msgs = play(Scenario.INCIDENT, Duration.ofMinutes(40), Chaos.NONE);
    List<Double> loopSpeeds =
        msgs.stream()
            .filter(m -> m.topic().equals("city/traffic/loop/loop-000000"))
            .filter(m -> elapsedMin(m) >= 11 && elapsedMin(m) < 29)
            .map(m -> json(m).get("speedKmh").asDouble())
            .toList();
    List<Double> before =
        msgs.stream()
            .filter(m -> m.topic().equals("city/traffic/loop/loop-000000"))
            .filter(m -> elapsedMin(m) < 10)
            .map(m -> json(m).get("speedKmh").asDouble())
            .toList();
    assertThat(loopSpeeds).isNotEmpty().allMatch(v -> v < 8);
    assertThat(before).isNotEmpty().allMatch(v -> v > 15);
    assertThat(FLEET.devices().get(0).segment()).isEqualTo(FLEET.incidentSegment());
  }

  @Test
  void aFireIsTwoDetectorsOfOneBuilding30SecondsApart() {
    List<Message> alarms =
        play(Scenario.FIRE, Duration.ofMinutes(20), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("emergency/smoke") && json(m).get("alarm").asBoolean())
            .toList();
    assertThat(alarms).hasSize(2);
    assertThat(alarms.get(1).eventTs() - alarms.get(0).eventTs()).isEqualTo(30_000);
    assertThat(alarms).extracting(Message::topic).doesNotHaveDuplicates();
    List<String> buildings =
        alarms.stream()
            .map(
                m ->
                    FLEET.devices().stream()
                        .filter(d -> d.topic().equals(m.topic()))
                        .findFirst()
                        .orElseThrow()
                        .building())
            .toList();
    assertThat(buildings).containsOnly(FLEET.fireBuilding());
  }

  @Test
  void theWaterBurstDropsPressureOnThreeMetersOfOneZone() {
    List<Message> water =
        play(Scenario.WATER_BURST, Duration.ofMinutes(30), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("utility/water") && elapsedMin(m) >= 11)
            .toList();
    List<String> low =
        water.stream()
            .filter(m -> json(m).get("pressureKPa").asDouble() < 230)
            .map(Message::topic)
            .distinct()
            .toList();
    assertThat(low)
        .containsExactlyInAnyOrder(
            "city/utility/water/water-000000",
            "city/utility/water/water-000001",
            "city/utility/water/water-000002");
  }

  @Test
  void thePowerOutageDarkensOneZone() {
    List<Message> power =
        play(Scenario.POWER_OUTAGE, Duration.ofMinutes(25), Chaos.NONE).stream()
            .filter(
                m -> m.kind().equals("utility/power") && elapsedMin(m) >= 11 && elapsedMin(m) < 30)
            .toList();
    List<String> dark =
        power.stream()
            .filter(m -> json(m).get("voltageV").asDouble() < 110)
            .map(Message::topic)
            .distinct()
            .toList();
    assertThat(dark).hasSizeGreaterThanOrEqualTo(3);
    assertThat(
            FLEET.devices().stream()
                .filter(d -> dark.contains(d.topic()))
                .map(Fleet.Device::zone)
                .distinct())
        .containsExactly(FLEET.outageZone());
  }

  @Test
  void theGasLeakIsMethaneAboveTheAlarmThresholdAtOneSensor() {
    List<Message> gas =
        play(Scenario.GAS_LEAK, Duration.ofMinutes(15), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("utility/gas") && json(m).get("ppm").asDouble() >= 5000)
            .toList();
    assertThat(gas)
        .isNotEmpty()
        .extracting(Message::topic)
        .containsOnly("city/utility/gas/gas-000000");
  }

  @Test
  void theFloodRisesPast30CmAndRecedes() {
    List<Double> depths =
        play(Scenario.FLOOD, Duration.ofMinutes(50), Chaos.NONE).stream()
            .filter(m -> m.topic().equals("city/emergency/flood/flood-000000"))
            .map(m -> json(m).get("depthCm").asDouble())
            .toList();
    assertThat(depths).anyMatch(d -> d >= 30);
    assertThat(depths.get(depths.size() - 1)).isLessThan(15);
  }

  @Test
  void anSosIsOnePress() {
    List<Message> sos =
        play(Scenario.SOS, Duration.ofMinutes(10), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("emergency/sos"))
            .toList();
    assertThat(sos).hasSize(1);
    assertThat(json(sos.get(0)).get("pressed").asBoolean()).isTrue();
  }

  @Test
  void theTicketBacklogIsFiftyOpenedNoneResolved() {
    List<JsonNode> tickets =
        play(Scenario.TICKET_BACKLOG, Duration.ofMinutes(10), Chaos.NONE).stream()
            .filter(m -> m.kind().equals("community/ticket"))
            .map(SimulationTest::json)
            .toList();
    assertThat(tickets.stream().filter(t -> t.get("status").asText().equals("opened")).count())
        .isGreaterThanOrEqualTo(50);
    assertThat(tickets).noneMatch(t -> t.get("status").asText().equals("resolved"));
  }

  @Test
  void chaosCorruptsAndDuplicatesTheShareAskedFor() {
    IngestValidator v = new IngestValidator();
    List<Message> clean = play(Scenario.NORMAL_DAY, Duration.ofMinutes(10), Chaos.NONE);
    List<Message> chaotic =
        play(Scenario.NORMAL_DAY, Duration.ofMinutes(10), new Chaos(10, 10, 5, 0, 0, 0));
    long rejected =
        chaotic.stream()
            .filter(
                m ->
                    v.validate(m.topic(), m.payload(), m.eventTs() + 1000)
                        instanceof IngestResult.Rejected)
            .count();
    assertThat((double) rejected / chaotic.size()).isBetween(0.06, 0.14);
    assertThat((double) chaotic.size() / clean.size()).isBetween(1.05, 1.15);
  }

  @Test
  void badOptionsNameTheOption() {
    assertThatThrownBy(() -> Scenario.of("meteor"))
        .hasMessageStartingWith("--scenario must be one of");
    assertThatThrownBy(() -> new Chaos(101, 0, 0, 0, 0, 0))
        .hasMessageStartingWith("--chaos-malformed");
    assertThatThrownBy(() -> SimulateCommand.parseDuration("soon"))
        .hasMessageStartingWith("--duration");
    assertThat(SimulateCommand.parseDuration("90m")).isEqualTo(Duration.ofMinutes(90));
  }
}
