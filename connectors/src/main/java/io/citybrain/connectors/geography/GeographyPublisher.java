package io.citybrain.connectors.geography;

import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes one replaced layer to {@code city.geography}: key the layer name, value its GeoJSON. A
 * city's communities are megabytes of text, so the record is gzip-compressed (GeoJSON shrinks about
 * tenfold) and may be as large as {@link Topics#GEOGRAPHY_MAX_BYTES}. Idempotent and acknowledged
 * by all in-sync replicas: when {@link #publish} returns, the layer is in the topic.
 *
 * <p>Does not check the layer: callers check it first ({@code ./citybrain city publish} does).
 */
public final class GeographyPublisher {
  private GeographyPublisher() {}

  /** Publishes and waits for the acknowledgement; returns where the record landed. */
  public static RecordMetadata publish(String bootstrap, String layer, byte[] geojson)
      throws InterruptedException, ExecutionException {
    return publish(bootstrap, KafkaSecurity.NONE, layer, geojson);
  }

  /** {@link #publish(String, String, byte[])} to a Kafka that requires {@code security}. */
  public static RecordMetadata publish(
      String bootstrap, KafkaSecurity security, String layer, byte[] geojson)
      throws InterruptedException, ExecutionException {
    Properties p = security.applyTo(new Properties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.GEOGRAPHY_MAX_BYTES);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // An operator at a terminal: a wrong address should fail in seconds, not after the default
    // minute.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      return producer
          .send(
              new ProducerRecord<>(
                  Topics.GEOGRAPHY, layer.getBytes(StandardCharsets.UTF_8), geojson))
          .get();
    }
  }
}
