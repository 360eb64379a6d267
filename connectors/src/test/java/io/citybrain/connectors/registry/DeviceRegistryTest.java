package io.citybrain.connectors.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceRegistryTest {

  private static final String KEY = "bridge.registry.path";
  @TempDir Path dir;

  private static final RegisteredDevice LOOP =
      new RegisteredDevice(
          "L-1", "traffic", "loop", 30.25, 120.15, "330106", "S-17", null, null, null);
  private static final RegisteredDevice SMOKE =
      new RegisteredDevice(
          "SM-1", "emergency", "smoke", 30.26, 120.16, "330106", null, "B-3", null, "C-9");

  @Test
  void whatIsWrittenIsReadBackWithAbsentPlacesAsNull() {
    Path csv = dir.resolve("devices.csv");
    DeviceRegistry.write(csv, List.of(LOOP, SMOKE));
    DeviceRegistry r = DeviceRegistry.load(KEY, csv);
    assertThat(r.size()).isEqualTo(2);
    assertThat(r.find("L-1")).contains(LOOP);
    assertThat(r.find("SM-1")).contains(SMOKE);
    assertThat(r.find("nobody")).isEmpty();
    assertThat(r.loopSegments()).containsExactly(java.util.Map.entry("L-1", "S-17"));
  }

  @Test
  void columnsAreFoundByTheHeaderAndExtraColumnsAreIgnored() throws Exception {
    Path csv = dir.resolve("devices.csv");
    Files.writeString(
        csv,
        "kind,id,domain,lon,lat,segment,installed\nloop,L-2,traffic,120.1,30.2,S-5,2024-03-01\n");
    RegisteredDevice d = DeviceRegistry.load(KEY, csv).find("L-2").orElseThrow();
    assertThat(d.lat()).isEqualTo(30.2);
    assertThat(d.lon()).isEqualTo(120.1);
    assertThat(d.segment()).isEqualTo("S-5");
    assertThat(d.building()).isNull();
  }

  @Test
  void aMissingFileNamesTheKey() {
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, dir.resolve("nowhere.csv")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(KEY + " is not a readable file");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, dir))
        .hasMessageStartingWith(KEY + " is not a readable file");
  }

  @Test
  void aBadLineNamesTheKeyAndTheLine() throws Exception {
    Path csv = dir.resolve("devices.csv");
    Files.writeString(
        csv, "id,domain,kind,lat,lon\nL-1,traffic,loop,30.2,120.1\nL-2,traffic,loop,north,120.1\n");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, csv))
        .hasMessageStartingWith(KEY + ": ")
        .hasMessageContaining("line 3");

    Files.writeString(csv, "id,domain,kind,lat,lon\nL-1,traffic,loop,,120.1\n");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, csv))
        .hasMessageStartingWith(KEY + ": ")
        .hasMessageContaining("line 2");

    Files.writeString(csv, "id,domain,kind,lat,lon\nL-1,traffic,loop,95,120.1\n");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, csv))
        .hasMessageContaining("line 2")
        .hasMessageContaining("WGS84");

    Files.writeString(csv, "id,domain,kind,lat,lon\nL 1,traffic,loop,30,120.1\n");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, csv))
        .hasMessageContaining("device id must match");

    Files.writeString(
        csv, "id,domain,kind,lat,lon\nL-1,traffic,loop,30,120.1\nL-1,traffic,loop,30,120.2\n");
    assertThatThrownBy(() -> DeviceRegistry.load(KEY, csv))
        .hasMessageContaining("line 3")
        .hasMessageContaining("registered twice");
  }

  @Test
  void itTravelsToFlinkTasksByJavaSerialization() throws Exception {
    DeviceRegistry r = DeviceRegistry.of(List.of(LOOP, SMOKE));
    try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
      out.writeObject(r);
      out.writeObject(r.loopSegments());
    }
  }
}
