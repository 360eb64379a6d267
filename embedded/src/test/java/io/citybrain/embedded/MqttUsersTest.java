package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.moquette.broker.subscriptions.Topic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttUsersTest {

  private static final String HASH = io.citybrain.users.UsersFile.hash("pw-1".toCharArray(), 1000);
  private static final MqttUsers USERS =
      MqttUsers.parse(
          List.of(
              "# username,role,scope,password-hash",
              "",
              "mgr-a,manager,c-A," + HASH,
              "officer-1,officer,330106," + HASH,
              "ops-1,operator,," + HASH,
              "loop-7,device,," + HASH,
              "ops,service,," + HASH),
          "users.csv");

  @Test
  void passwordsAreCheckedAgainstSaltedHashes() {
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
    assertThat(USERS.canWrite(topic("city/ack/a-1/mgr-a"), "mgr-a", "c")).isTrue();
    // The topic names who acknowledges: not someone else, and not nobody (contract v1's
    // city/ack/<alertId>).
    assertThat(USERS.canWrite(topic("city/ack/a-1/officer-1"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/ack/a-1"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/ack/a-1/mgr-a/x"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canWrite(topic("city/alerts/community/c-A"), "mgr-a", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/alerts/district/330106"), "officer-1", "c")).isTrue();
    assertThat(USERS.canRead(topic("city/alerts/district/330105"), "officer-1", "c")).isFalse();
    assertThat(USERS.canRead(topic("city/alerts/#"), "ops-1", "c")).isTrue();
    assertThat(USERS.canRead(topic("city/alerts/district/+"), "ops-1", "c")).isTrue();
    assertThat(USERS.canRead(topic("city/#"), "ops-1", "c")).isFalse();
    assertThat(USERS.canRead(topic("#"), "ops-1", "c")).isFalse();
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

  private static Topic topic(String t) {
    return new Topic(t);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
