package io.citybrain.connectors.ops;

import io.citybrain.connectors.kafka.KafkaSecurity;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether Kafka answers now, for a readiness check: the cluster's description within two seconds,
 * asked at most once every two seconds whatever the probe rate. It tells "Kafka is down or
 * unreachable (or refuses our credentials)" from "Kafka is there"; a record Kafka refuses is the
 * process's own business.
 */
public final class KafkaProbe implements AutoCloseable {
  private static final long TIMEOUT_MS = 2_000;
  private static final long REUSE_MS = 2_000;

  private final Admin admin;
  private long checkedAt;
  private Optional<String> last = Optional.of("not checked yet");

  public KafkaProbe(String bootstrap, KafkaSecurity security, String clientId) {
    Properties p = security.applyTo(new Properties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
    // A probe that cannot reach Kafka must not log a warning every few seconds for hours.
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
    this.admin = Admin.create(p);
  }

  /** Empty when Kafka answered, else why not. */
  public synchronized Optional<String> problem() {
    long now = System.nanoTime();
    if (checkedAt != 0 && now - checkedAt < TimeUnit.MILLISECONDS.toNanos(REUSE_MS)) {
      return last;
    }
    try {
      int brokers =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT_MS))
              .nodes()
              .get(TIMEOUT_MS + 500, TimeUnit.MILLISECONDS)
              .size();
      last = brokers > 0 ? Optional.empty() : Optional.of("Kafka answered with no broker");
    } catch (ExecutionException e) {
      last =
          Optional.of(
              "Kafka does not answer: " + (e.getCause() == null ? e : e.getCause()).getMessage());
    } catch (TimeoutException e) {
      last = Optional.of("Kafka does not answer within " + TIMEOUT_MS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      last = Optional.of("interrupted");
    }
    checkedAt = System.nanoTime();
    return last;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
