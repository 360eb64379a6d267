package io.citybrain.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {

  /**
   * Written by Debian's mosquitto_passwd 2.0.11: {@code mosquitto_passwd -c -b -I 1000 pw alice
   * s3cret}.
   */
  private static final String FROM_MOSQUITTO_PASSWD =
      "$7$1000$6iNpHh1r63/5T7jA$D5b4zc7BlVmZhB2adVPkWRr4J/xZxeTUwU8i/yxKUOJQ4ggcqT4RW65S+0fT6pu01e8hhvOdh/9gK+PCiF55RQ==";

  private static final String HASH = UsersFile.hash("pw-1".toCharArray(), 1000);

  @Test
  void aHashMosquittoWroteLogsInAndOursHasMosquittosShape() {
    assertThat(UsersFile.matches("s3cret".toCharArray(), FROM_MOSQUITTO_PASSWD)).isTrue();
    assertThat(UsersFile.matches("s3cret!".toCharArray(), FROM_MOSQUITTO_PASSWD)).isFalse();
    String ours = UsersFile.hash("pw-1".toCharArray());
    assertThat(ours).matches("\\$7\\$210000\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
    assertThat(UsersFile.matches("pw-1".toCharArray(), ours)).isTrue();
    assertThat(UsersFile.hash("pw-1".toCharArray())).isNotEqualTo(ours);
  }

  @Test
  void aFileOfTheEarlierFormatStillLogsIn() {
    // pbkdf2-sha256, 10,000 iterations, as MqttUsers wrote them before the users module (password
    // "pw-1").
    String legacy =
        "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA==$"
            + java.util.Base64.getEncoder().encodeToString(legacyDigest("pw-1", new byte[16]));
    UsersFile users = UsersFile.parse(List.of("mgr-a,manager,c-A," + legacy), "users.csv");
    assertThat(users.authenticate("mgr-a", "pw-1".toCharArray())).isPresent();
    assertThat(users.authenticate("mgr-a", "pw-2".toCharArray())).isEmpty();
    assertThatThrownBy(users::mosquittoPasswords)
        .hasMessageContaining("mgr-a")
        .hasMessageContaining("./citybrain users add");
  }

  @Test
  void rolesSeeTheirOwnScopeOnly() {
    UsersFile users =
        UsersFile.parse(
            List.of(
                "# username,role,scope,password-hash",
                "",
                "ops,operator,," + HASH,
                "officer-1,officer,330106," + HASH,
                "mgr-a,manager,c-A," + HASH,
                "loop-7,device,," + HASH),
            "u");
    Account ops = users.account("ops").orElseThrow();
    Account officer = users.account("officer-1").orElseThrow();
    Account manager = users.account("mgr-a").orElseThrow();
    assertThat(ops.covers("330105", null)).isTrue();
    assertThat(officer.covers("330106", "c-B")).isTrue();
    assertThat(officer.covers("330105", "c-A")).isFalse();
    assertThat(manager.covers("330106", "c-A")).isTrue();
    assertThat(manager.covers("330106", "c-B")).isFalse();
    assertThat(manager.covers("330106", null)).isFalse();
    assertThat(users.account("loop-7").orElseThrow().covers("330106", "c-A")).isFalse();
  }

  @Test
  void mosquittosFilesGrantEachAccountItsOwnTopicsAndNothingElse() {
    UsersFile users =
        UsersFile.parse(
            List.of(
                "ops,operator,," + HASH,
                "mgr-a,manager,c-A," + HASH,
                "loop-7,device,," + HASH,
                "svc,service,," + HASH),
            "u");
    assertThat(users.mosquittoPasswords())
        .isEqualTo("loop-7:" + HASH + "\nmgr-a:" + HASH + "\nops:" + HASH + "\n");
    assertThat(users.mosquittoServicePasswords())
        .as("the services' listener: services only")
        .isEqualTo("svc:" + HASH + "\n");
    assertThat(users.mosquittoAcl())
        .contains(
            """
        user mgr-a
        topic read city/alerts/community/c-A
        topic write city/ack/+/mgr-a
        """)
        .contains(
            """
        user loop-7
        topic write city/traffic/+/loop-7
        topic write city/utility/+/loop-7
        topic write city/emergency/+/loop-7
        topic write city/community/+/loop-7
        """)
        .contains("user ops\ntopic read city/alerts/#\n")
        .doesNotContain("svc")
        .doesNotContain("pattern");
  }

  @Test
  void aBadLineFailsNamingTheFileAndLineButNeverTheSecret() {
    assertThatThrownBy(() -> UsersFile.parse(List.of("a,manager,c-A"), "u.csv"))
        .hasMessage("u.csv line 1: expected username,role,scope,password-hash");
    assertThatThrownBy(() -> UsersFile.parse(List.of("#", "a,admin,,x"), "u.csv"))
        .hasMessage(
            "u.csv line 2: role must be one of operator, officer, manager, device, service, got 'admin'");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a,manager,," + HASH), "u.csv"))
        .hasMessage("u.csv line 1: a manager needs a scope (its community id)");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a,operator,330106," + HASH), "u.csv"))
        .hasMessage("u.csv line 1: a operator has no scope: leave the third field empty");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a,device,,plain-password"), "u.csv"))
        .hasMessageStartingWith("u.csv line 1: password-hash must be $7$")
        .hasMessageNotContaining("plain-password");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a,device,,$7$x$y$z"), "u.csv"))
        .hasMessageStartingWith("u.csv line 1: password-hash must be");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a/b,device,," + HASH), "u.csv"))
        .hasMessage("u.csv line 1: username must match [A-Za-z0-9._-]{1,64}");
    assertThatThrownBy(
            () -> UsersFile.parse(List.of("a,device,," + HASH, "a,device,," + HASH), "u.csv"))
        .hasMessage("u.csv line 2: username 'a' appears twice");
  }

  @Test
  void putAddsOrReplacesOneLineAndKeepsTheRest(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("users.csv");
    Files.writeString(file, "# our city\nloop-7,device,," + HASH + "\n");
    UsersFile.put(
        file, UsersFile.newAccount("mgr-a", "manager", "c-A", "pw-2".toCharArray(), 1000));
    UsersFile.put(
        file, UsersFile.newAccount("mgr-a", "manager", "c-B", "pw-3".toCharArray(), 1000));
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3).startsWith("# our city", "loop-7,device,," + HASH);
    UsersFile users = UsersFile.load(file);
    assertThat(users.authenticate("mgr-a", "pw-3".toCharArray()))
        .get()
        .extracting(Account::scope)
        .isEqualTo("c-B");
    assertThatThrownBy(
            () -> UsersFile.newAccount("mgr b", "manager", "c-A", "x".toCharArray(), 1000))
        .hasMessageContaining("username must match");
    assertThat(Files.list(dir)).containsExactly(file);
  }

  private static byte[] legacyDigest(String password, byte[] salt) {
    try {
      javax.crypto.spec.PBEKeySpec spec =
          new javax.crypto.spec.PBEKeySpec(password.toCharArray(), salt, 10_000, 256);
      return javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
          .generateSecret(spec)
          .getEncoded();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
