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
  void byDefaultAnUnauthenticatedClientIsRefusedAndAnAccountIsLetIn(@TempDir Path dir) throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(dir, 0, MqttUsers.empty().addService("svc", PASSWORD))) {
      assertThatThrownBy(() -> connect(broker, null, null))
          .isInstanceOf(MqttException.class)
          .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
              .isIn((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION, (int) MqttException.REASON_CODE_NOT_AUTHORIZED));
      assertThatThrownBy(() -> connect(broker, "svc", "not-the-password".toCharArray()))
          .isInstanceOf(MqttException.class);
      MqttClient client = connect(broker, "svc", PASSWORD);
      assertThat(client.isConnected()).isTrue();
      client.disconnect();
      client.close();
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

  private static MqttClient connect(EmbeddedMqttBroker broker, String user, char[] password) throws MqttException {
    MqttClient client = new MqttClient(broker.url(), "auth-probe", new MemoryPersistence());
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
