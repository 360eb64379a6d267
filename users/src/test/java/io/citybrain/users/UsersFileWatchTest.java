package io.citybrain.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The users file as it is edited: read again when its content changes, and never a broken version.
 */
class UsersFileWatchTest {

  private static final String HASH = UsersFile.hash("pw-1".toCharArray(), 1000);

  @TempDir Path dir;

  @Test
  void anEditCountsAfterTheIntervalAndABrokenOneKeepsTheLastGoodFile() throws Exception {
    Path file = Files.writeString(dir.resolve("users.csv"), "mgr-a,manager,c-1," + HASH + "\n");
    List<String> log = new ArrayList<>();
    UsersFileWatch watch = UsersFileWatch.start(file, Duration.ofSeconds(10), log::add, 0);
    assertThat(watch.current(0).account("mgr-a")).map(Account::scope).hasValue("c-1");

    // Moved to another community, and a second manager added.
    Files.writeString(file, "mgr-a,manager,c-2," + HASH + "\nmgr-b,manager,c-1," + HASH + "\n");
    assertThat(watch.current(9_999).account("mgr-a"))
        .as("not looked at yet")
        .map(Account::scope)
        .hasValue("c-1");
    assertThat(watch.current(10_000).account("mgr-a")).map(Account::scope).hasValue("c-2");
    assertThat(watch.current(10_000).account("mgr-b")).isPresent();
    assertThat(log).containsExactly("users file " + file + " read again (2 accounts)");

    // Half written: a line without its hash. The file read before stays, and the problem is said
    // once.
    Files.writeString(file, "mgr-b,manager,c-1\n");
    assertThat(watch.current(20_000).account("mgr-a")).isPresent();
    assertThat(watch.current(30_000).account("mgr-a")).isPresent();
    assertThat(log).hasSize(2);
    assertThat(log.get(1)).contains(file.toString(), "line 1", "the accounts read before stay");

    // Removed: out at the next look.
    Files.writeString(file, "mgr-b,manager,c-1," + HASH + "\n");
    assertThat(watch.current(40_000).account("mgr-a")).isEmpty();
    assertThat(watch.current(40_000).authenticate("mgr-b", "pw-1".toCharArray())).isPresent();

    // Gone for a moment (a Secret's link being swapped): the accounts stay.
    Files.delete(file);
    assertThat(watch.current(50_000).account("mgr-b")).isPresent();
    assertThat(log.get(log.size() - 1)).contains("cannot be read", "the accounts read before stay");
  }

  @Test
  void aFileThatDoesNotLoadAtStartStopsTheCaller() throws Exception {
    Path file = Files.writeString(dir.resolve("users.csv"), "mgr-a,manager\n");
    assertThatThrownBy(() -> UsersFileWatch.start(file, Duration.ofSeconds(10), s -> {}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString());
    assertThatThrownBy(
            () ->
                UsersFileWatch.start(
                    dir.resolve("missing.csv"), Duration.ofSeconds(10), s -> {}, 0))
        .hasMessageContaining("missing.csv");
  }
}
