package io.citybrain.deploy.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One part of the cluster as an operating-system process: started from a fixed command, its stdout
 * and stderr appended to one log file, and controllable the ways an operator's infrastructure
 * treats a process — stopped (SIGTERM), killed (SIGKILL, no goodbye) and started again with the
 * same command, ports and data.
 */
public final class ChildProcess implements AutoCloseable {

  /** When a started process counts as up. */
  @FunctionalInterface
  public interface Ready {
    boolean test(ChildProcess p) throws Exception;

    /** Something listens on the port. */
    static Ready listening(int port) {
      return p -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return true;
        } catch (IOException notYet) {
          return false;
        }
      };
    }

    /**
     * The process has written {@code line} since this start (earlier runs' output does not count).
     */
    static Ready logged(String line) {
      return p -> p.logSinceStart().contains(line);
    }
  }

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private final Ready ready;
  private final Duration startTimeout;
  private Process process;
  private long logOffset;

  /** How many times the process was launched: a watcher reports each exit once. */
  private long launches;

  private long launchedAtNanos;

  /** {@link #stop} asked it to end: its exit is an operator's decision, not a failure. */
  private boolean stopRequested;

  public ChildProcess(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path log,
      Ready ready,
      Duration startTimeout) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
    this.ready = ready;
    this.startTimeout = startTimeout;
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  /** Launches the process, without waiting for it to be up. */
  public synchronized ChildProcess launch() {
    if (alive()) {
      throw new IllegalStateException(name + " runs already (pid " + process.pid() + ")");
    }
    try {
      Files.createDirectories(log.getParent());
      logOffset = Files.exists(log) ? Files.size(log) : 0;
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(environment);
      process = pb.start();
      launches++;
      launchedAtNanos = System.nanoTime();
      stopRequested = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
    }
    return this;
  }

  /** Waits until the process is up; fails when it exits or takes longer than its start timeout. */
  public ChildProcess awaitReady() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      Process p;
      synchronized (this) {
        p = process;
      }
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited"
                + (p == null ? "" : " with " + p.exitValue())
                + " while starting; see "
                + log
                + ":\n"
                + tail(20));
      }
      try {
        if (ready.test(this)) {
          return this;
        }
      } catch (Exception notYet) {
        // a readiness probe that cannot answer yet is a "not yet"
      }
      sleep(200);
    }
    throw new IllegalStateException(
        name
            + " was not up within "
            + startTimeout.toSeconds()
            + " s; see "
            + log
            + ":\n"
            + tail(20));
  }

  /**
   * Waits until a one-shot process exits; returns its exit code, or -1 after killing it when it
   * takes too long.
   */
  public int waitFor(Duration timeout) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      return -1;
    }
    return p.exitValue();
  }

  /** Launches the process and waits until it is up. */
  public ChildProcess start() {
    return launch().awaitReady();
  }

  /** SIGKILL, to the process and anything it started: what a crash or an OOM killer does. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM and up to {@code grace} for a clean exit, then SIGKILL. */
  public synchronized void stop(Duration grace) {
    stopRequested = true;
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!awaitExit(grace)) {
      kill();
    }
  }

  /** Stops the process (if it runs) and starts it again with the same command. */
  public ChildProcess restart() {
    stop(Duration.ofSeconds(30));
    return start();
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** How many times it was launched (0: never). */
  public synchronized long launches() {
    return launches;
  }

  /**
   * Whether the last launch ended because {@link #stop} asked it to (SIGTERM from the supervisor or
   * an operator).
   */
  public synchronized boolean stopRequested() {
    return stopRequested;
  }

  /** The exit code of the last launch, or -1 while it runs or when it never ran. */
  public synchronized int exitCode() {
    return process == null || process.isAlive() ? -1 : process.exitValue();
  }

  /**
   * Time since the last launch (a watcher noticing an exit within a moment reads it as how long the
   * process ran).
   */
  public synchronized Duration upFor() {
    return process == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - launchedAtNanos);
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** CPU time (user + system) of the running process so far, from /proc; -1 when unknown. */
  public long cpuNanos() {
    String[] f = procStat();
    return f == null ? -1 : (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
  }

  /**
   * CPU time (user + system) so far of the live threads whose name starts with one of {@code
   * prefixes}, from /proc (Linux keeps the first 15 characters of a thread's name, e.g. {@code "C2
   * CompilerThre"} for the JIT's); -1 when unknown.
   */
  public long cpuNanosOfThreads(List<String> prefixes) {
    Path tasks = Path.of("/proc", String.valueOf(pid()), "task");
    long ticks = 0;
    try (var threads = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) threads::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException ended) {
          continue; // the thread ended since the listing
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (prefixes.stream().anyMatch(name::startsWith)) {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return ticks * 10_000_000L;
  }

  /** Resident set size of the running process in bytes, from /proc; -1 when unknown. */
  public long rssBytes() {
    String[] f = procStat();
    return f == null ? -1 : Long.parseLong(f[21]) * 4096L;
  }

  // Fields of /proc/<pid>/stat after the command name, which may contain spaces.
  private String[] procStat() {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** What the process wrote since it was last launched. */
  public String logSinceStart() throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.min(logOffset, f.length());
      byte[] bytes = new byte[(int) Math.min(f.length() - from, 8 * 1024 * 1024)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** The last {@code lines} lines of its log file. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no output)";
    }
  }

  private boolean awaitExit(Duration d) {
    try {
      return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ", log " + log + ")";
  }
}
