package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's start API requires authentication unless the caller asks for anonymous access. */
class EmbeddedMqttBrokerAuthITCase {

  private static final char[] PASSWORD = "svc-password-1".toCharArray();

  @Test
  void byDefaultAnUnauthenticatedClientIsRefusedAndAnAccountIsLetIn(@TempDir Path dir)
      throws Exception {
    try (EmbeddedMqttBroker broker =
        EmbeddedMqttBroker.start(dir, 0, MqttUsers.empty().addService("svc", PASSWORD))) {
      assertThatThrownBy(() -> connect(broker, null, null))
          .isInstanceOf(MqttException.class)
          .satisfies(
              e ->
                  assertThat(((MqttException) e).getReasonCode())
                      .isIn(
                          (int) MqttException.REASON_CODE_FAILED_AUTHENTICATION,
                          (int) MqttException.REASON_CODE_NOT_AUTHORIZED));
      assertThatThrownBy(() -> connect(broker, "svc", "not-the-password".toCharArray()))
          .isInstanceOf(MqttException.class);
      MqttClient client = connect(broker, "svc", PASSWORD);
      assertThat(client.isConnected()).isTrue();
      client.disconnect();
      client.close();
    }
  }

  /** Issue 23: any account could connect with the bridge's client id and take its session. */
  @Test
  void aClientIdBelongsToItsAccountAndServiceIdsToTheirServiceAccounts(@TempDir Path dir)
      throws Exception {
    char[] devicePassword = "dev-password-1".toCharArray();
    java.nio.file.Path file = dir.resolve("users.csv");
    java.nio.file.Files.writeString(
        file,
        "loop-0001,device,,"
            + MqttUsers.hash(devicePassword)
            + "\n"
            + "mgr-a,manager,c-1,"
            + MqttUsers.hash(devicePassword)
            + "\n");
    MqttUsers users = MqttUsers.load(file).addService("citybrain-bridge", PASSWORD);
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dir.resolve("broker"), 0, users)) {
      for (String taken :
          java.util.List.of(
              "citybrain-bridge", "citybrain-bridge-1", "mgr-a", "someone-else", "loop-00010")) {
        assertThatThrownBy(() -> connect(broker, "loop-0001", devicePassword, taken))
            .as("device as %s", taken)
            .isInstanceOf(MqttException.class);
      }
      assertThatThrownBy(() -> connect(broker, "mgr-a", devicePassword, "citybrain-bridge-1"))
          .isInstanceOf(MqttException.class);
      assertThat(users.refusedClientIds())
          .as("counted (Moquette may check a connect more than once)")
          .isGreaterThanOrEqualTo(6);
      // Its own name, its name with a suffix, or an id the broker assigns (an empty one, as
      // mosquitto_sub sends).
      for (String own : java.util.List.of("loop-0001", "loop-0001-second", "")) {
        MqttClient c = connect(broker, "loop-0001", devicePassword, own);
        assertThat(c.isConnected()).as("device as '%s'", own).isTrue();
        c.disconnect();
        c.close();
      }
      MqttClient bridge = connect(broker, "citybrain-bridge", PASSWORD, "citybrain-bridge-1");
      assertThat(bridge.isConnected()).isTrue();
      bridge.disconnect();
      bridge.close();
    }
  }

  @Test
  void startingWithoutUsersIsRefusedPointingAtTheAnonymousOptIn(@TempDir Path dir) {
    assertThatThrownBy(() -> EmbeddedMqttBroker.start(dir, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requires authentication")
        .hasMessageContaining("startAnonymous");
  }

  @Test
  void onlyTheExplicitOptInLetsAnonymousClientsIn(@TempDir Path dir) throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir, 0)) {
      MqttClient client = connect(broker, null, null);
      assertThat(client.isConnected()).isTrue();
      client.disconnect();
      client.close();
    }
  }

  private static MqttClient connect(EmbeddedMqttBroker broker, String user, char[] password)
      throws MqttException {
    return connect(broker, user, password, "auth-probe");
  }

  private static MqttClient connect(
      EmbeddedMqttBroker broker, String user, char[] password, String clientId)
      throws MqttException {
    MqttClient client = new MqttClient(broker.url(), clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setConnectionTimeout(30);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password);
    }
    try {
      client.connect(o);
    } catch (MqttException e) {
      client.close();
      throw e;
    }
    return client;
  }
}
