package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Layer;
import io.citybrain.geo.LayerFile;
import io.citybrain.testkit.KafkaRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./citybrain city publish} against a real Kafka: the whole layer lands in city.geography,
 * versioned.
 */
class CityPublishITCase {

  @Test
  void aGoodLayerIsPublishedWithItsVersionAndReadsBackAsTheSameLayer(@TempDir Path dir)
      throws Exception {
    CityModel city = CityModel.hangzhou();
    Path zones = dir.resolve("zones.geojson");
    Files.write(zones, CityGeoJson.zones(city.zones(), null));
    Path communities = dir.resolve("communities.geojson");
    Files.write(communities, CityGeoJson.communities(city.communities(), "2026-11-24.1"));

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of())) {
      ContractTopics.create(kafka.bootstrapServers(), t -> 1, (short) 1);
      assertThat(
              new CommandLine(new CityCli())
                  .execute(
                      "city",
                      "publish",
                      "--layer",
                      "zones",
                      zones.toString(),
                      "--kafka",
                      kafka.bootstrapServers()))
          .isZero();
      assertThat(
              new CommandLine(new CityCli())
                  .execute(
                      "city",
                      "publish",
                      "--layer",
                      "communities",
                      communities.toString(),
                      "--kafka",
                      kafka.bootstrapServers()))
          .isZero();

      List<ConsumerRecord<String, byte[]>> records = readAll(kafka.bootstrapServers(), 2);
      assertThat(records).extracting(ConsumerRecord::key).containsExactly("zones", "communities");
      LayerFile z = LayerFile.read(Layer.ZONES, records.get(0).value(), "zones");
      assertThat(z.version()).matches("sha256:[0-9a-f]{12}");
      assertThat(z.zones()).hasSameSizeAs(city.zones());
      LayerFile c = LayerFile.read(Layer.COMMUNITIES, records.get(1).value(), "communities");
      assertThat(c.version()).isEqualTo("2026-11-24.1");
      assertThat(records.get(1).value()).isEqualTo(Files.readAllBytes(communities));
      assertThat(c.communities()).hasSameSizeAs(city.communities());
    }
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, int expected) {
    try (KafkaRecords r = KafkaRecords.of(bootstrap, Topics.GEOGRAPHY)) {
      return r.until(read -> read.size() >= expected, Duration.ofSeconds(60));
    }
  }
}
