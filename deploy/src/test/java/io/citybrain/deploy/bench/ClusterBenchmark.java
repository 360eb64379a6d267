package io.citybrain.deploy.bench;

import io.citybrain.deploy.cluster.ClusterBench;

/**
 * End-to-end throughput on the multi-process cluster: see {@link ClusterBench}. Run by hand: {@code
 * flock /tmp/citybrain-heavy.lock java ... io.citybrain.deploy.bench.ClusterBenchmark [events]}.
 */
public final class ClusterBenchmark {
  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    ClusterBench.run(
        java.nio.file.Files.createTempDirectory("citybrain-bench"),
        args.length > 0 ? Long.parseLong(args[0]) : 300_000L);
  }
}
