package io.citybrain.deploy.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time (user + system, from /proc) of every cluster process at one moment, with the part spent
 * by the JVM's JIT compiler threads: in a benchmark of a few minutes on freshly started JVMs,
 * compiling is a large one-off share that a long-running deployment does not pay per event.
 */
final class ProcessCpu {
  private static final List<String> JIT_THREADS = List.of("C1 CompilerThre", "C2 CompilerThre");

  private record Times(long cpu, long jit) {}

  private final Map<String, Times> times = new LinkedHashMap<>();

  private ProcessCpu(ClusterCity cluster) {
    for (ChildProcess p : cluster.processes()) {
      times.put(p.name(), new Times(p.cpuNanos(), Math.max(0, p.cpuNanosOfThreads(JIT_THREADS))));
    }
  }

  static ProcessCpu now(ClusterCity cluster) {
    return new ProcessCpu(cluster);
  }

  /**
   * Prints CPU seconds and µs per event of each process between {@code from} and this snapshot, and
   * its RSS now.
   */
  void printSince(ProcessCpu from, ClusterCity cluster, long events, double wallSeconds) {
    System.out.printf(
        "%-22s %9s %13s %12s %20s %8s%n",
        "process", "CPU s", "CPU µs/event", "of it JIT s", "µs/event without JIT", "RSS MB");
    double total = 0;
    double jit = 0;
    for (ChildProcess p : cluster.processes()) {
      Times a = from.times.get(p.name());
      Times b = times.get(p.name());
      double s = (b.cpu() - a.cpu()) / 1e9;
      double j = Math.max(0, b.jit() - a.jit()) / 1e9;
      total += s;
      jit += j;
      System.out.printf(
          "%-22s %9.1f %13.1f %12.1f %20.1f %8d%n",
          p.name(), s, s * 1e6 / events, j, (s - j) * 1e6 / events, p.rssBytes() / (1024 * 1024));
    }
    System.out.printf(
        "%-22s %9.1f %13.1f %12.1f %20.1f   over %.0f s wall (%.2f cores)%n",
        "all processes",
        total,
        total * 1e6 / events,
        jit,
        (total - jit) * 1e6 / events,
        wallSeconds,
        total / wallSeconds);
  }
}
