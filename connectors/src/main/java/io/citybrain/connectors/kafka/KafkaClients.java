package io.citybrain.connectors.kafka;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka client settings shared by the bridge and the dispatcher. */
public final class KafkaClients {
  private KafkaClients() {}

  /**
   * A producer that loses nothing it acknowledged: every in-sync replica has the record
   * ({@code acks=all}) and retries cannot duplicate or reorder ({@code enable.idempotence}).
   */
  public static Properties reliableProducer(String bootstrapServers, String clientId) {
    return reliableProducer(bootstrapServers, clientId, KafkaSecurity.NONE);
  }

  /** {@link #reliableProducer(String, String)} that authenticates and encrypts as {@code security} says. */
  public static Properties reliableProducer(String bootstrapServers, String clientId, KafkaSecurity security) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Each produce request costs every replica of its partitions a round of work (the leader's
    // append, then a fetch and an append on each follower before acks=all answers), whatever it
    // carries. At a bridge's few hundred readings a second, 5 ms sent requests of one or two
    // readings; 20 ms gathers several and cut Kafka's CPU by 19 % and the pipeline's by 17 % at
    // 590 readings/s (docs/benchmarks.md, cluster latency section), for at most 15 ms more on the
    // alert path. Under saturation batches fill anyway and linger plays no part.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return security.applyTo(p);
  }
}
