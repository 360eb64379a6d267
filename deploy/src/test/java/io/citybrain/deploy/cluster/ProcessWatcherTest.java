package io.citybrain.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's watcher on real processes (sh): what it reports, what it leaves alone, how it
 * restarts.
 */
class ProcessWatcherTest {

  @TempDir Path dir;

  private ChildProcess sh(String name, String script) {
    return new ChildProcess(
        name,
        List.of("sh", "-c", script),
        Map.of(),
        dir.resolve(name + ".log"),
        ChildProcess.Ready.logged("up"),
        Duration.ofSeconds(10));
  }

  @Test
  void anExitIsReportedOnceWithItsCodeAndLastLinesAndAStopIsNot() {
    ChildProcess crashing = sh("crashing", "echo up; echo 'fatal: disk full'; exit 3");
    ChildProcess stopped = sh("stopped", "echo up; sleep 60");
    List<String> reports = new CopyOnWriteArrayList<>();
    try (ProcessWatcher w =
        ProcessWatcher.start(() -> List.of(crashing, stopped), false, reports::add)) {
      stopped.start();
      crashing.launch();
      stopped.stop(Duration.ofSeconds(5));
      await().atMost(Duration.ofSeconds(10)).until(() -> !reports.isEmpty());
      await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
      assertThat(reports)
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r)
                      .startsWith("crashing exited with code 3 after ")
                      .contains(dir.resolve("crashing.log") + ":")
                      .contains("    fatal: disk full")
                      .doesNotContain("starting it again"));
      assertThat(crashing.launches()).as("not restarted").isEqualTo(1);
    }
  }

  @Test
  void aKilledProcessIsNamedSoAndARestartingWatcherBringsItBackWithALongerPauseEachTime() {
    ChildProcess flaky = sh("flaky", "echo up; sleep 0.3; exit 4");
    ChildProcess killed = sh("killed", "echo up; sleep 60");
    List<String> reports = new CopyOnWriteArrayList<>();
    try (ProcessWatcher w =
        ProcessWatcher.start(() -> List.of(flaky, killed), true, reports::add)) {
      killed.start();
      killed.kill();
      flaky.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> flaky.launches() >= 3 && killed.launches() >= 2);
      assertThat(reports)
          .anyMatch(r -> r.startsWith("killed exited with code 137 (signal 9, SIGKILL"))
          .anyMatch(r -> r.startsWith("killed is up again (pid "))
          .anyMatch(
              r ->
                  r.startsWith("flaky exited with code 4")
                      && r.endsWith("starting it again in 1 s"))
          .anyMatch(
              r ->
                  r.startsWith("flaky exited with code 4")
                      && r.endsWith("starting it again in 2 s"));
    } finally {
      killed.stop(Duration.ofSeconds(5));
      flaky.stop(Duration.ofSeconds(5));
    }
  }
}
