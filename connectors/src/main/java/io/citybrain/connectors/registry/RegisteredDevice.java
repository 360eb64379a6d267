package io.citybrain.connectors.registry;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.Serializable;

/**
 * One line of the device registry ({@code devices.csv}). The place fields are those that apply to
 * the device's kind (a loop's segment, a smoke detector's building, a meter's zone), else null.
 */
@JsonPropertyOrder({
  "id",
  "domain",
  "kind",
  "lat",
  "lon",
  "district",
  "segment",
  "building",
  "zone",
  "community"
})
public record RegisteredDevice(
    String id,
    String domain,
    String kind,
    double lat,
    double lon,
    String district,
    String segment,
    String building,
    String zone,
    String community)
    implements Serializable {}
