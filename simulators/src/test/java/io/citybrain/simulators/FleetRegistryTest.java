package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citybrain.connectors.Json;
import io.citybrain.connectors.envelope.DeviceKind;
import io.citybrain.connectors.envelope.Envelope;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.geo.CityModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry the simulator writes ({@code --registry}) is the one the bridge and the jobs read. */
class FleetRegistryTest {

  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  @Test
  void everyFixedDeviceThatOmitsItsPositionIsPlacedWhereItWouldHaveSaid(@TempDir Path dir) throws Exception {
    Fleet fleet = Fleet.build(CityModel.generate(42), 400, 42);
    Path csv = dir.resolve("devices.csv");
    fleet.writeRegistry(csv);
    DeviceRegistry registry = DeviceRegistry.load("--registry", csv);
    assertThat(registry.size()).isEqualTo(fleet.devices().size());
    for (Fleet.Device d : fleet.devices()) {
      RegisteredDevice r = registry.find(d.id()).orElseThrow();
      assertThat(r.segment()).isEqualTo(d.segment());
      assertThat(r.building()).isEqualTo(d.building());
      assertThat(r.zone()).isEqualTo(d.zone());
    }
    assertThat(registry.loopSegments()).isNotEmpty()
        .hasSize((int) fleet.devices().stream().filter(d -> d.kind().equals("loop")).count());

    IngestValidator bridge = new IngestValidator(registry);
    Simulation sim = new Simulation(fleet, new Simulation.Settings(42, Scenario.NORMAL_DAY, 60, Duration.ofMinutes(10), START, Chaos.NONE));
    int placed = 0;
    while (sim.nextDue() < START.toEpochMilli() + 600_000) {
      for (Message m : sim.next()) {
        String[] levels = m.topic().split("/");
        if (DeviceKind.of(levels[1], levels[2]).orElseThrow().moving()) {
          continue;
        }
        ObjectNode sent = (ObjectNode) Json.MAPPER.readTree(m.payload());
        double lat = sent.get("lat").doubleValue();
        double lon = sent.get("lon").doubleValue();
        sent.remove("lat");
        sent.remove("lon");
        IngestResult r = bridge.validate(m.topic(), Json.MAPPER.writeValueAsBytes(sent), m.eventTs() + 1000);
        assertThat(r).as(m.topic()).isInstanceOf(IngestResult.Reading.class);
        Envelope e = ((IngestResult.Reading) r).envelope();
        assertThat(e.lat()).isCloseTo(lat, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(e.lon()).isCloseTo(lon, org.assertj.core.data.Offset.offset(1e-6));
        placed++;
      }
    }
    assertThat(placed).isGreaterThan(100);
  }
}
