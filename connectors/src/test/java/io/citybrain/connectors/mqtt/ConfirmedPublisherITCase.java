package io.citybrain.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.MqttUsers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's and the console's publisher against the real embedded broker: a refused start
 * names the broker and the account; a broker that goes away and comes back on its port is
 * reconnected to, and what was published meanwhile arrives.
 */
class ConfirmedPublisherITCase {

  @Test
  void aWrongPasswordStopsTheStartNamingBrokerAndAccount(@TempDir Path dir) throws Exception {
    char[] secret = MqttUsers.randomPassword();
    Path usersFile = dir.resolve("users.csv");
    Files.writeString(usersFile, "# username,role,scope,password-hash\n");
    try (EmbeddedMqttBroker broker =
        EmbeddedMqttBroker.start(
            dir.resolve("mqtt"),
            0,
            MqttUsers.load(usersFile).addService("citybrain-dispatch", secret))) {
      assertThatThrownBy(
              () ->
                  ConfirmedPublisher.connect(
                      broker.url(),
                      "citybrain-dispatch-1",
                      "citybrain-dispatch",
                      "wrong".toCharArray(),
                      Duration.ofSeconds(10)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(broker.url())
          .hasMessageContaining("'citybrain-dispatch'");
      try (ConfirmedPublisher ok =
          ConfirmedPublisher.connect(
              broker.url(),
              "citybrain-dispatch-1",
              "citybrain-dispatch",
              secret,
              Duration.ofSeconds(10))) {
        ok.publishAndWait(
            "city/alerts/district/330106",
            "{}".getBytes(StandardCharsets.UTF_8),
            Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void aBrokerRestartIsRiddenOutAndWhatWasPublishedMeanwhileArrives(@TempDir Path dir)
      throws Exception {
    EmbeddedMqttBroker broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
    int port = broker.port();
    String url = broker.url();
    List<String> received = new CopyOnWriteArrayList<>();
    try (ConfirmedPublisher publisher =
        ConfirmedPublisher.connect(
            url, "citybrain-dispatch-1", null, null, Duration.ofSeconds(10))) {
      MqttClient sub = subscriber(url, received);
      publisher.publishAndWait(
          "city/alerts/district/330106", bytes("before"), Duration.ofSeconds(10));
      // The publisher's PUBACK says the broker has it, not that the subscriber does: disconnecting
      // the subscriber at once raced the delivery (a CI run of 2026-12-07 lost "before" so).
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(received).contains("before"));
      sub.disconnect();
      sub.close();
      broker.close();

      CompletableFuture<Void> meanwhile =
          publisher.publish("city/alerts/district/330106", bytes("meanwhile"));
      broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), port);
      sub = subscriber(url, received);
      // A publish made while the broker is away fails (not connected, or the old session is gone):
      // the dispatcher publishes it again every 500 ms until the reconnected client has a PUBACK.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int attempts = 1;
      while (true) {
        try {
          ConfirmedPublisher.await(meanwhile, Duration.ofSeconds(10));
          break;
        } catch (ConfirmedPublisher.Unacknowledged e) {
          assertThat(System.nanoTime())
              .as("reconnected within 30 s, %d attempts, last: %s", attempts, e.getMessage())
              .isLessThan(until);
          Thread.sleep(500);
          meanwhile = publisher.publish("city/alerts/district/330106", bytes("meanwhile"));
          attempts++;
        }
      }
      publisher.publishAndWait(
          "city/alerts/district/330106", bytes("after"), Duration.ofSeconds(10));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(received).contains("before", "meanwhile", "after"));
      sub.disconnect();
      sub.close();
    } finally {
      broker.close();
    }
  }

  private static MqttClient subscriber(String url, List<String> received) throws Exception {
    MqttClient c = new MqttClient(url, "officer-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    c.connect(o);
    c.subscribe(
        "city/alerts/#",
        1,
        (topic, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
