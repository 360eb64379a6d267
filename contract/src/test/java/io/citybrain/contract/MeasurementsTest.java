package io.citybrain.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MeasurementsTest {

  @Test
  void aRowHoldsItsColumnsInTheirTypes() {
    Row row =
        Measurements.TRAFFIC_SEGMENT
            .row(1_000L)
            .tag("segment", "s-1")
            .tag("district", "330106")
            .tag("road_class", "primary")
            .field("speed_kmh", 42.5)
            .field("flow_vph", (Double) null)
            .field("tti", 1.2)
            .field("samples", 7)
            .build();
    assertThat(row.tags())
        .containsExactly(
            java.util.Map.entry("segment", "s-1"),
            java.util.Map.entry("district", "330106"),
            java.util.Map.entry("road_class", "primary"));
    assertThat(row.fields()).containsEntry("samples", 7L).containsEntry("speed_kmh", 42.5);
    assertThat(row.fields()).as("an optional field left out").doesNotContainKey("flow_vph");
    assertThat(row.timeMs()).isEqualTo(1_000L);
  }

  @Test
  void anUnknownColumnAWrongTypeOrAMissingValueIsRefusedNamingIt() {
    assertThatThrownBy(() -> Measurements.PIPELINE.row(0).field("events", 1L))
        .hasMessageStartingWith("measurement pipeline: no column events");
    assertThatThrownBy(() -> Measurements.PIPELINE.row(0).field("lag_ms", 5L))
        .hasMessage("measurement pipeline: lag_ms is a DOUBLE field, not LONG");
    assertThatThrownBy(() -> Measurements.PIPELINE.row(0).field("stage", "bridge"))
        .hasMessage("measurement pipeline: stage is a tag, not a field");
    assertThatThrownBy(() -> Measurements.PIPELINE.row(0).tag("events_in", "1"))
        .hasMessage("measurement pipeline: events_in is a field, not a tag");
    assertThatThrownBy(
            () ->
                Measurements.PIPELINE.row(0).tag("stage", "bridge").field("events_in", 1L).build())
        .hasMessage("measurement pipeline: field events_out is required");
    assertThatThrownBy(() -> Measurements.TRAFFIC_DISTRICT.row(0).build())
        .hasMessage("measurement traffic_district: tag district is required");
  }

  @Test
  void theDeduplicationKeyIsTheTagsAndTheFieldsNamedAsKeys() {
    assertThat(Measurements.TRAFFIC_SEGMENT.deduplicationKeys())
        .containsExactly("segment", "district", "road_class");
    assertThat(Measurements.ALERT.deduplicationKeys())
        .containsExactly("kind", "severity", "district", "community", "alert_id");
    assertThat(Measurements.UTILITY_ZONE_HOURLY.columns())
        .isEqualTo(Measurements.UTILITY_ZONE.columns());
    assertThat(Measurements.UTILITY_ZONE_HOURLY.deduplicationKeys())
        .isEqualTo(Measurements.UTILITY_ZONE.deduplicationKeys());
  }

  @Test
  void namesAreUniqueAndLookedUp() {
    assertThat(Measurements.ALL).extracting(Measurement::name).doesNotHaveDuplicates();
    assertThat(Measurements.named("alert")).isSameAs(Measurements.ALERT);
    assertThatThrownBy(() -> Measurements.named("traffic"))
        .hasMessage("contract v1 has no measurement traffic");
  }

  /**
   * docs/contract.md's table of measurements is what dashboard builders read: each row names the
   * measurement's tags and fields, and the table has every measurement and no other.
   */
  @Test
  void docsContractListsEveryMeasurementWithItsColumns() throws IOException {
    String doc = Files.readString(Path.of("../docs/contract.md"));
    String section = doc.substring(doc.indexOf("## Measurements"));
    Pattern row = Pattern.compile("(?m)^\\| `([a-z0-9_]+)` \\| (.*) \\| (.*) \\|$");
    Matcher m = row.matcher(section);
    List<String> documented = new ArrayList<>();
    while (m.find()) {
      Measurement measurement = Measurements.named(m.group(1));
      documented.add(measurement.name());
      assertThat(quoted(m.group(2)))
          .as(measurement + " tags")
          .containsExactlyInAnyOrderElementsOf(measurement.tags());
      assertThat(quoted(m.group(3)))
          .as(measurement + " fields")
          .containsExactlyInAnyOrderElementsOf(measurement.fields());
    }
    assertThat(documented)
        .containsExactlyElementsOf(Measurements.ALL.stream().map(Measurement::name).toList());
  }

  /** The `names` in a table cell, values in parentheses (`water`, …) left out. */
  private static List<String> quoted(String cell) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("`([a-z0-9_]+)`").matcher(cell.replaceAll("\\([^)]*\\)", ""));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
