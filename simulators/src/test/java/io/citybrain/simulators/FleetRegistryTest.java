package io.citybrain.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citybrain.connectors.envelope.IngestResult;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.connectors.registry.RegisteredDevice;
import io.citybrain.contract.DeviceKind;
import io.citybrain.contract.Envelope;
import io.citybrain.contract.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry the simulator writes ({@code --registry}) is the one the bridge and the jobs read.
 */
class FleetRegistryTest {

  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  @Test
  void everyFixedDeviceThatOmitsItsPositionIsPlacedWhereItIs(@TempDir Path dir) throws Exception {
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(42), 400, 42);
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
    assertThat(registry.loopSegments())
        .isNotEmpty()
        .hasSize((int) fleet.devices().stream().filter(d -> d.kind().equals("loop")).count());

    IngestValidator bridge = new IngestValidator(registry);
    Map<String, Fleet.Device> byTopic = new HashMap<>();
    fleet.devices().forEach(d -> byTopic.put(d.topic(), d));
    Simulation sim =
        new Simulation(
            fleet,
            new Simulation.Settings(
                42, Scenario.NORMAL_DAY, 60, Duration.ofMinutes(10), START, Chaos.NONE, true));
    int placed = 0;
    while (sim.nextDue() < START.toEpochMilli() + 600_000) {
      for (Message m : sim.next()) {
        ObjectNode sent = (ObjectNode) Json.MAPPER.readTree(m.payload());
        String[] levels = m.topic().split("/");
        boolean moving = DeviceKind.of(levels[1], levels[2]).orElseThrow().moving();
        assertThat(sent.has("lat") || sent.has("lon"))
            .as("position sent by %s", m.topic())
            .isEqualTo(moving);
        IngestResult r = bridge.validate(m.topic(), m.payload(), m.eventTs() + 1000);
        assertThat(r).as(m.topic()).isInstanceOf(IngestResult.Reading.class);
        if (moving) {
          continue;
        }
        Envelope e = ((IngestResult.Reading) r).envelope();
        Fleet.Device d = byTopic.get(m.topic());
        assertThat(e.lat()).isEqualTo(d.lat());
        assertThat(e.lon()).isEqualTo(d.lon());
        placed++;
      }
    }
    assertThat(placed).isGreaterThan(100);
  }
}
