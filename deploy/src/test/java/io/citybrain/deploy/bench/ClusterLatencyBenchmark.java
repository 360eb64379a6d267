package io.citybrain.deploy.bench;

import io.citybrain.deploy.cluster.ClusterLatency;
import java.nio.file.Files;
import java.time.Duration;

/**
 * Publish → row latency on the multi-process cluster with devices publishing in real time: see
 * {@link ClusterLatency}. Run by hand: {@code flock /tmp/citybrain-heavy.lock java ...
 * io.citybrain.deploy.bench.ClusterLatencyBenchmark [devices] [seconds]}.
 */
public final class ClusterLatencyBenchmark {
  private ClusterLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 420;
    ClusterLatency.run(
        Files.createTempDirectory("citybrain-bench"), devices, Duration.ofSeconds(seconds));
  }
}
