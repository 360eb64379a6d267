package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.envelope.EnvelopeCodec;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Topics;
import io.citybrain.jobs.common.Envelopes;
import io.citybrain.jobs.common.KafkaEvent;
import io.citybrain.jobs.emergency.GeoLocator;
import io.citybrain.jobs.emergency.Place;
import io.citybrain.jobs.emergency.Signal;
import io.citybrain.jobs.emergency.Signals;
import io.citybrain.jobs.utility.GeoZoneLocator;
import io.citybrain.jobs.utility.UtilityReading;
import io.citybrain.jobs.utility.UtilityReadings;
import io.citybrain.simulators.Chaos;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Message;
import io.citybrain.simulators.Scenario;
import io.citybrain.simulators.Simulation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Positions are resolved once, at the bridge: a fixed device that sends none is placed from the
 * registry, and the utility and emergency jobs place the envelope the bridge wrote exactly as the
 * registry says the device is placed (zone, district, community), with no registry of their own.
 * The registry's places come from the simulator's fleet (a meter is put in its zone, an alarm in
 * its building, a button in its community), the jobs' from their own locators over the envelope's
 * position.
 */
class RegistryPlacementTest {

  private static final long SEED = 42;
  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  @Test
  void theJobsPlaceWhatTheBridgePlacedFromTheRegistryWhereTheRegistrySays(@TempDir Path dir)
      throws Exception {
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(SEED), 200, SEED);
    Path csv = dir.resolve("devices.csv");
    fleet.writeRegistry(csv);
    IngestValidator bridge = new IngestValidator(DeviceRegistry.load("bridge.registry.path", csv));
    Map<String, Fleet.Device> byTopic = new HashMap<>();
    fleet.devices().forEach(d -> byTopic.put(d.topic(), d));
    GeoZoneLocator zones = new GeoZoneLocator(SEED);
    zones.open();
    GeoLocator places = new GeoLocator(SEED);
    places.open();

    // An hour of the SOS scenario: every fixed kind reports, the SOS button included.
    Simulation sim =
        new Simulation(
            fleet,
            new Simulation.Settings(
                SEED, Scenario.SOS, 60, Duration.ofHours(1), START, Chaos.NONE, true));
    Map<String, Integer> checked = new TreeMap<>();
    while (sim.nextDue() < START.plus(Duration.ofHours(1)).toEpochMilli()) {
      for (Message m : sim.next()) {
        Fleet.Device d = byTopic.get(m.topic());
        if (d.domain().equals("traffic")) {
          continue;
        }
        IngestResult r = bridge.validate(m.topic(), m.payload(), m.eventTs() + 1000);
        assertThat(r).as(m.topic()).isInstanceOf(IngestResult.Reading.class);
        Envelope placed = ((IngestResult.Reading) r).envelope();
        // What the bridge writes to Kafka, as the jobs' sources hand it over.
        KafkaEvent e =
            new KafkaEvent(
                Topics.raw(d.domain()), d.id(), EnvelopeCodec.encode(placed), placed.ts());
        if (d.domain().equals("utility")) {
          UtilityReading u = UtilityReadings.toReading(e, zones);
          assertThat(u.zone()).as(d.id()).isEqualTo(d.zone());
          assertThat(u.district()).as(d.id()).isEqualTo(d.district());
        } else {
          Envelope env = Envelopes.decode(e);
          Place place = places.locate(env.lon(), env.lat()).orElseThrow();
          assertThat(place.district()).as(d.id()).isEqualTo(d.district());
          if (d.community() != null) {
            assertThat(place.community()).as(d.id()).isEqualTo(d.community());
          }
          if (d.building() != null) {
            assertThat(place.building()).as(d.id()).isEqualTo(d.building());
          }
          Signals.from(env, io.citybrain.contract.Reading.of(env).orElse(null), place)
              .map(Signal::district)
              .ifPresent(s -> assertThat(s).isEqualTo(d.district()));
        }
        checked.merge(d.domain() + "/" + d.kind(), 1, Integer::sum);
      }
    }
    assertThat(checked)
        .containsKeys(
            "utility/water",
            "utility/power",
            "utility/gas",
            "emergency/smoke",
            "emergency/sos",
            "emergency/flood",
            "community/ticket");
  }
}
