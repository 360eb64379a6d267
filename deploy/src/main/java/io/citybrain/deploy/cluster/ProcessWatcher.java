package io.citybrain.deploy.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Notices at once when a part of the cluster exits without being asked to, reports it (name, exit
 * code, the last lines of its log) and, when told to, starts it again, as Kubernetes does for every
 * pod of deploy/kubernetes (the bridges' StatefulSet, dispatch's Deployment, Flink's pods through
 * the operator, Kafka through Strimzi): after a pause that doubles from 1 s to 60 s while it keeps
 * failing, and is back at 1 s once it stayed up for a minute (Kubernetes' CrashLoopBackOff,
 * shorter).
 *
 * <p>A process ended by {@link ChildProcess#stop} (SIGTERM from the supervisor or an operator) is
 * not reported: that is a decision, not a failure. A SIGKILL is a failure, whoever sent it.
 */
public final class ProcessWatcher implements AutoCloseable {

  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  static final Duration LONGEST_PAUSE = Duration.ofSeconds(60);

  /** A process that ran this long before exiting starts again after {@link #FIRST_PAUSE}. */
  static final Duration STABLE = Duration.ofMinutes(1);

  private final Supplier<List<ChildProcess>> processes;
  private final boolean restart;
  private final Consumer<String> report;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "citybrain-cluster-watch"));

  /**
   * Starting a process waits until it is up (up to its start timeout): never on the watching
   * thread.
   */
  private final ExecutorService starter =
      Executors.newCachedThreadPool(r -> daemon(r, "citybrain-cluster-restart"));

  private final Map<ChildProcess, Long> reportedLaunch = new HashMap<>();
  private final Map<ChildProcess, Duration> pause = new HashMap<>();

  private ProcessWatcher(
      Supplier<List<ChildProcess>> processes, boolean restart, Consumer<String> report) {
    this.processes = processes;
    this.restart = restart;
    this.report = report;
  }

  /**
   * Watches {@code processes} (asked again on every look, four times a second).
   *
   * @param restart start an exited process again, as production does
   * @param report receives one message per exit and per restart
   */
  public static ProcessWatcher start(
      Supplier<List<ChildProcess>> processes, boolean restart, Consumer<String> report) {
    ProcessWatcher w = new ProcessWatcher(processes, restart, report);
    w.timer.scheduleWithFixedDelay(w::look, 250, 250, TimeUnit.MILLISECONDS);
    return w;
  }

  private void look() {
    try {
      for (ChildProcess p : processes.get()) {
        long launch = p.launches();
        if (launch == 0
            || p.alive()
            || p.stopRequested()
            || Long.valueOf(launch).equals(reportedLaunch.get(p))) {
          continue;
        }
        reportedLaunch.put(p, launch);
        Duration wait = nextPause(p);
        int code = p.exitCode();
        StringBuilder m = new StringBuilder(p.name()).append(" exited with code ").append(code);
        if (code > 128) {
          m.append(" (signal ")
              .append(code - 128)
              .append(code == 137 ? ", SIGKILL: killed or out of memory" : "")
              .append(')');
        }
        m.append(" after ")
            .append(p.upFor().toSeconds())
            .append(" s; the last lines of ")
            .append(p.log())
            .append(':');
        p.tail(10).lines().forEach(l -> m.append("\n    ").append(l));
        if (restart) {
          m.append("\n  starting it again in ")
              .append(wait.toMillis() >= 1000 ? wait.toSeconds() + " s" : wait.toMillis() + " ms");
          timer.schedule(
              () -> starter.execute(() -> startAgain(p, launch)),
              wait.toMillis(),
              TimeUnit.MILLISECONDS);
        }
        report.accept(m.toString());
      }
    } catch (RuntimeException e) {
      report.accept("the cluster's watcher failed to look: " + e);
    }
  }

  private Duration nextPause(ChildProcess p) {
    Duration last = pause.get(p);
    Duration next =
        last == null || p.upFor().compareTo(STABLE) >= 0 ? FIRST_PAUSE : last.multipliedBy(2);
    if (next.compareTo(LONGEST_PAUSE) > 0) {
      next = LONGEST_PAUSE;
    }
    pause.put(p, next);
    return next;
  }

  private void startAgain(ChildProcess p, long exitedLaunch) {
    // Someone (an operator, a test) may have started or stopped it in the meantime: theirs is the
    // last word.
    if (p.alive() || p.stopRequested() || p.launches() != exitedLaunch || timer.isShutdown()) {
      return;
    }
    try {
      p.start();
      report.accept(p.name() + " is up again (pid " + p.pid() + ")");
    } catch (RuntimeException e) {
      // An exit while starting is the watcher's next report; anything else is said here.
      if (p.alive()) {
        report.accept(p.name() + " did not come back: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    starter.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
