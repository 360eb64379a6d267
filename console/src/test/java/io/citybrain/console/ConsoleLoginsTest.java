package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.users.Account;
import io.citybrain.users.UsersFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session is the person's as the users file says now: an edit moves or removes them without a
 * restart.
 */
class ConsoleLoginsTest {

  private static final String HASH = UsersFile.hash("pw-1".toCharArray(), 1000);

  @TempDir Path dir;

  @Test
  void aPersonMovedOrRemovedFromTheFileIsMovedOrOutOnTheirNextRequest() throws Exception {
    Path file = Files.writeString(dir.resolve("users.csv"), "mgr-a,manager,c-1," + HASH + "\n");
    ConsoleLogins logins =
        new ConsoleLogins(
            file, "a-session-key-of-at-least-32-chars!".toCharArray(), Duration.ofMillis(1));
    long now = System.currentTimeMillis();
    ConsoleLogins.Outcome in = logins.login("mgr-a", "pw-1".toCharArray(), now);
    assertThat(in).isInstanceOf(ConsoleLogins.Outcome.In.class);
    String cookie = ConsoleLogins.COOKIE + "=" + ((ConsoleLogins.Outcome.In) in).cookie();
    assertThat(logins.account(cookie, now + 10)).map(Account::scope).hasValue("c-1");

    Files.writeString(file, "mgr-a,manager,c-2," + HASH + "\n");
    assertThat(logins.account(cookie, now + 20)).map(Account::scope).as("moved").hasValue("c-2");
    Files.writeString(file, "ops,operator,," + HASH + "\n");
    assertThat(logins.account(cookie, now + 30))
        .as("removed: the signed cookie no longer lets them in")
        .isEmpty();
    assertThat(logins.login("mgr-a", "pw-1".toCharArray(), now + 40))
        .isInstanceOf(ConsoleLogins.Outcome.Refused.class);
  }
}
