package io.citybrain.deploy.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.awaitility.Awaitility;

/**
 * The benchmark behind {@code ClusterBenchmark}: the cluster with the traffic job, a simulated
 * stream published as fast as Mosquitto takes it, and the time until (a) every event is in Kafka
 * and (b) the store's {@code traffic_segment} rows stop changing with the stream's last window
 * present. CPU seconds (user + system, from /proc) and resident memory per process are taken for
 * the streaming phase, because the machine is shared and wall-clock rates depend on its load.
 */
public final class ClusterBench {
  private ClusterBench() {}

  public static void run(Path dir, long events) throws Exception {
    ClusterCity.Options o =
        ClusterCity.Options.ephemeral(dir, ClusterChecks.FLINK_CLASSPATH, ClusterChecks.JOB_JAR);
    try (ClusterCity cluster =
        ClusterCity.start(
            o.toBuilder()
                .seed(ClusterStream.SEED)
                .devices(ClusterStream.DEVICES)
                .jobSettings(Map.of("watermark.idleness", "5"))
                .build(),
            step -> {})) {
      JobID traffic = cluster.submit("traffic", Map.of());
      Awaitility.await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> "RUNNING".equals(ClusterChecks.jobState(cluster, traffic)));
      ProcessCpu cpu0 = ProcessCpu.now(cluster);
      long t0 = System.nanoTime();
      ClusterStream stream = ClusterStream.publish(cluster, dir, events, "bench-sim", 0);
      stream.awaitPublished();
      double published = (System.nanoTime() - t0) / 1e9;
      Set<String> ids = stream.published();
      ClusterStream.ReadBack back =
          ClusterStream.readBack(cluster.kafkaBootstrap(), ids, Duration.ofMinutes(10));
      double inKafka = (System.nanoTime() - t0) / 1e9;
      long lastWindow =
          stream.start.plus(stream.simulated).minus(Duration.ofMinutes(1)).toEpochMilli() * 1000;
      long rows = -1;
      long stableSince = System.nanoTime();
      long giveUp = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (System.nanoTime() - stableSince < 10_000_000_000L) {
        if (System.nanoTime() > giveUp) {
          throw new IllegalStateException(
              "traffic_segment did not settle with the last window's rows within 10 min after Kafka"
                  + " had every event ("
                  + rows
                  + " rows); see "
                  + dir);
        }
        long n = count(cluster, "SELECT count() n FROM traffic_segment");
        long last =
            count(
                cluster, "SELECT count() n FROM traffic_segment WHERE timestamp >= " + lastWindow);
        if (n != rows || last == 0) {
          rows = n;
          stableSince = System.nanoTime();
        }
        Thread.sleep(1000);
      }
      // The rows last changed at stableSince: the stream was complete in the store then.
      double inStore = (stableSince - t0) / 1e9;
      System.out.printf(
          "events %,d distinct (%,d records in Kafka), %d devices%n",
          ids.size(), back.records(), ClusterStream.DEVICES);
      System.out.printf(
          "published (QoS 1, acked by mosquitto)  %6.1f s  %,8.0f events/s%n",
          published, ids.size() / published);
      System.out.printf(
          "all in Kafka (through both bridges)    %6.1f s  %,8.0f events/s%n",
          inKafka, ids.size() / inKafka);
      System.out.printf(
          "rows final in the store (%,d rows)    %6.1f s  %,8.0f events/s%n",
          rows, inStore, ids.size() / inStore);
      ProcessCpu.now(cluster).printSince(cpu0, cluster, ids.size(), (System.nanoTime() - t0) / 1e9);
    }
  }

  private static long count(ClusterCity cluster, String sql) {
    return ((Number) ClusterChecks.storeQuery(cluster, sql).get(0).get("n")).longValue();
  }
}
