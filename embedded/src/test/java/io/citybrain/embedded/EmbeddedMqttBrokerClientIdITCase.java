package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.MosquittoClients;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker takes every CONNECT a standard MQTT 3.1.1 client sends by default: a zero-length
 * client id with a clean session gets an id assigned (3.1.3-6), as Debian's mosquitto-clients rely
 * on; a zero-length id with a persistent session is refused, because there would be no id to find
 * the session under again (3.1.3-8).
 */
class EmbeddedMqttBrokerClientIdITCase {

  private static final int CONNACK_ACCEPTED = 0;
  private static final int CONNACK_IDENTIFIER_REJECTED = 2;

  @Test
  void zeroLengthIdWithCleanSessionIsAcceptedAndCanPublishAndSubscribe(@TempDir Path dir)
      throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir, 0)) {
      assertThat(rawConnack(broker.port(), true)).isEqualTo(CONNACK_ACCEPTED);

      MqttClient sub = connect(broker, "");
      MqttClient pub = connect(broker, "");
      BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
      sub.subscribe(
          "city/alerts/#",
          1,
          (topic, m) ->
              received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
      pub.publish("city/alerts/a-1", "{\"id\":\"a-1\"}".getBytes(StandardCharsets.UTF_8), 1, false);
      assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo("city/alerts/a-1 {\"id\":\"a-1\"}");
      for (MqttClient c : List.of(sub, pub)) {
        c.disconnect();
        c.close();
      }
    }
  }

  @Test
  void zeroLengthIdWithPersistentSessionIsRefused(@TempDir Path dir) throws Exception {
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir, 0)) {
      assertThat(rawConnack(broker.port(), false)).isEqualTo(CONNACK_IDENTIFIER_REJECTED);
    }
  }

  /** The README's hand-try lines, as written there, with only the port added. */
  @Test
  void debiansMosquittoClientsWithTheirDefaultsPublishAndSubscribe(@TempDir Path dir)
      throws Exception {
    Assumptions.assumeTrue(MosquittoClients.available(), "mosquitto-clients not installed");
    try (EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir, 0)) {
      String port = String.valueOf(broker.port());
      Process sub =
          MosquittoClients.sub("-p", port, "-t", "city/alerts/#", "-v", "-C", "1", "-W", "60");
      // mosquitto_sub gives no sign once it has subscribed: publish until it has received one.
      int published = 0;
      while (sub.isAlive() && published < 60) {
        MosquittoClients.Run pub =
            MosquittoClients.pub(
                "-p", port, "-q", "1", "-t", "city/alerts/a-1", "-m", "{\"id\":\"a-1\"}");
        assertThat(pub.exit()).as("mosquitto_pub: %s", pub.output()).isZero();
        published++;
        sub.waitFor(1, TimeUnit.SECONDS);
      }
      String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(sub.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(sub.exitValue()).as("mosquitto_sub: %s", out).isZero();
      assertThat(out).isEqualTo("city/alerts/a-1 {\"id\":\"a-1\"}\n");
    }
  }

  private static MqttClient connect(EmbeddedMqttBroker broker, String clientId) throws Exception {
    MqttClient client = new MqttClient(broker.url(), clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setConnectionTimeout(30);
    client.connect(o);
    return client;
  }

  /**
   * Sends an MQTT 3.1.1 CONNECT with a zero-length client id by hand (client libraries refuse to
   * send the one the spec forbids) and returns the CONNACK's return code.
   */
  private static int rawConnack(int port, boolean cleanSession) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      byte flags = (byte) (cleanSession ? 0x02 : 0x00);
      byte[] connect = {0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, flags, 0, 60, 0, 0};
      OutputStream out = s.getOutputStream();
      out.write(connect);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] connack = new byte[4];
      in.readFully(connack);
      assertThat(connack[0] & 0xff).as("CONNACK packet type").isEqualTo(0x20);
      return connack[3];
    }
  }
}
