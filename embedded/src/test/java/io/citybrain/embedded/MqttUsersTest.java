package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.moquette.broker.subscriptions.Topic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttUsersTest {

  private static final String HASH = MqttUsers.hash("pw-1".toCharArray());
  private static final MqttUsers USERS = MqttUsers.parse(List.of(
      "# username,role,scope,password-hash",
      "",
      "mgr-a,manager,c-A," + HASH,
      "officer-1,officer,330106," + HASH,
      "loop-7,device,," + HASH,
      "ops,service,," + HASH), "users.csv");

  @Test
  void passwordsAreCheckedAgainstSaltedHashes() {
    assertThat(HASH).startsWith("pbkdf2-sha256$10000$").isNotEqualTo(MqttUsers.hash("pw-1".toCharArray()));
    assertThat(USERS.checkValid("mgr-a", "mgr-a", bytes("pw-1"))).isTrue();
    assertThat(USERS.checkValid("mgr-a", "mgr-a", bytes("pw-2"))).isFalse();
    assertThat(USERS.checkValid("mgr-a", "nobody", bytes("pw-1"))).isFalse();
    assertThat(USERS.checkValid("mgr-a", null, null)).isFalse();
  }

  @Test
  void aManagerReadsOnlyTheirCommunityAndPublishesOnlyAcknowledgements() {
    assertThat(USERS.canRead(topic("city/alerts/community/c-A"), "mgr-a", "c")).isTrue();
    assertThat(USERS.canRead(topic("city/alerts/community/c-B"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/alerts/community/+"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/alerts/#"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/ack/a-1"), "mgr-a", "c")).isTrue();
    assertThat(USERS.canWrite(topic("city/alerts/community/c-A"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/alerts/district/330106"), "officer-1", "c")).isTrue();
    assertThat(USERS.canRead(topic("city/alerts/district/330105"), "officer-1", "c")).isFalse();
  }

  @Test
  void aDevicePublishesOnlyUnderItsOwnIdAndReadsNothing() {
    assertThat(USERS.canWrite(topic("city/traffic/loop/loop-7"), "loop-7", "c")).isTrue();
    assertThat(USERS.canWrite(topic("city/traffic/loop/loop-8"), "loop-7", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/ack/loop-7"), "loop-7", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/alerts/x/loop-7"), "loop-7", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/traffic/loop/loop-7/x"), "loop-7", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/traffic/loop/loop-7"), "loop-7", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/#"), "ops", "c")).isTrue();
    assertThat(USERS.canWrite(topic("city/alerts/community/c-A"), null, "c")).isFalse();
  }

  @Test
  void aBadLineFailsNamingTheFileAndLine() {
    assertThatThrownBy(() -> MqttUsers.parse(List.of("a,manager,c-A"), "u.csv"))
        .hasMessage("u.csv line 1: expected username,role,scope,password-hash");
    assertThatThrownBy(() -> MqttUsers.parse(List.of("#", "a,admin,,x"), "u.csv"))
        .hasMessage("u.csv line 2: role must be manager, officer, device or service, got 'admin'");
    assertThatThrownBy(() -> MqttUsers.parse(List.of("a,manager,," + HASH), "u.csv"))
        .hasMessage("u.csv line 1: a manager needs a scope (its community id)");
    assertThatThrownBy(() -> MqttUsers.parse(List.of("a,device,,plain-password"), "u.csv"))
        .hasMessageStartingWith("u.csv line 1: password-hash must be pbkdf2-sha256$<iterations>$<salt>$<hash>")
        .hasMessageNotContaining("plain-password");
    assertThatThrownBy(() -> MqttUsers.parse(List.of("a b,device,," + HASH), "u.csv"))
        .hasMessage("u.csv line 1: username must match [A-Za-z0-9._-]{1,64}");
    assertThatThrownBy(() -> MqttUsers.parse(List.of("a,device,," + HASH, "a,device,," + HASH), "u.csv"))
        .hasMessage("u.csv line 2: username 'a' appears twice");
  }

  private static Topic topic(String t) {
    return new Topic(t);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
