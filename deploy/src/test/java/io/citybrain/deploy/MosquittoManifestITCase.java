package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.connectors.mqtt.ConfirmedPublisher;
import io.citybrain.embedded.FreePorts;
import io.citybrain.users.UsersFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production broker's configuration, as {@code deploy/kubernetes/mqtt/mosquitto.yaml} ships it,
 * run by Debian's Mosquitto 2 (issue 23): a device that connects with the bridge's client id does
 * not take the bridge's session (its id becomes its user name), accounts of one listener cannot log
 * in on the other, and alerts still flow from dispatch to a manager. The public listener's password
 * and ACL files are the ones {@code ./citybrain users mosquitto} writes from a users file (issue
 * 20): a manager acknowledges only in their own name and reads only their community's alerts.
 */
class MosquittoManifestITCase {

  private static final Path MANIFEST =
      Path.of("").toAbsolutePath().resolve("kubernetes/mqtt/mosquitto.yaml");
  private static final Path SECRET =
      Path.of("").toAbsolutePath().resolve("kubernetes/secrets/mqtt.secret.yaml.example");
  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

  @TempDir Path dir;
  private Process broker;
  private int publicPort;
  private int servicePort;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void startTheManifestsBroker() throws Exception {
    boolean installed = Files.isExecutable(MOSQUITTO) && Files.isExecutable(PASSWD);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed, "mosquitto is not installed");
    }
    assertThat(installed).as("mosquitto installed (.ci/run installs it)").isTrue();
    Path auth = Files.createDirectories(dir.resolve("auth"));
    Path data = Files.createDirectories(dir.resolve("data"));
    Path users = dir.resolve("users.csv");
    users("add", users.toString(), "dev-1", "device", "--iterations", "1000", "--password-stdin")
        .accept("dev-pass");
    users("add", users.toString(), "mgr-1", "manager", "c-1", "--password-stdin")
        .accept("mgr-pass");
    users("add", users.toString(), "mgr-2", "manager", "c-2", "--password-stdin")
        .accept("mgr2-pass");
    users("mosquitto", users.toString(), "--out", auth.toString()).accept("");
    passwd(auth.resolve("service-passwords"), "bridge", "bridge-pass", "dispatch", "dispatch-pass");
    // The Secret template's grants, which must be the ones ./citybrain cluster --users writes.
    String serviceAcl = blockOf(Files.readString(SECRET), "service-acl");
    assertThat(
            serviceAcl
                .lines()
                .filter(l -> !l.startsWith("#"))
                .map(l -> l + "\n")
                .collect(Collectors.joining()))
        .as("service-acl in %s", SECRET)
        .isEqualTo(UsersFile.mosquittoServiceAcl());
    Files.writeString(auth.resolve("service-acl"), serviceAcl);
    publicPort = FreePorts.resolve(0);
    servicePort = FreePorts.resolve(0);
    String conf =
        configOf(Files.readString(MANIFEST))
                .replace("listener 1883\n", "listener " + publicPort + " 127.0.0.1\n")
                .replace("listener 1884\n", "listener " + servicePort + " 127.0.0.1\n")
                .replace("/mosquitto/auth/", auth + "/")
                .replace("/mosquitto/data/", data + "/")
            + "user "
            + System.getProperty("user.name")
            + "\n";
    assertThat(conf).contains("listener " + publicPort).contains("listener " + servicePort);
    Files.writeString(dir.resolve("mosquitto.conf"), conf);
    broker =
        new ProcessBuilder(MOSQUITTO.toString(), "-c", dir.resolve("mosquitto.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.out").toFile())
            .start();
    for (int port : new int[] {publicPort, servicePort}) {
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(broker.isAlive())
                    .as("mosquitto running; see %s", dir.resolve("mosquitto.out"))
                    .isTrue();
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                  return true;
                }
              });
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttClient c : clients) {
      try {
        if (c.isConnected()) {
          c.disconnectForcibly(1_000);
        }
        c.close();
      } catch (MqttException ignored) {
        // the broker may already have closed it
      }
    }
    if (broker != null) {
      broker.destroy();
      broker.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeviceUsingTheBridgesClientIdDoesNotTakeItsSession() throws Exception {
    List<String> lost = new CopyOnWriteArrayList<>();
    List<String> bridged = new CopyOnWriteArrayList<>();
    MqttClient bridge = connect(servicePort, "citybrain-bridge-0", "bridge", "bridge-pass", false);
    bridge.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            lost.add(String.valueOf(cause));
          }

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            bridged.add(topic);
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    bridge.subscribe("city/#", 1);

    MqttClient device = connect(publicPort, "citybrain-bridge-0", "dev-1", "dev-pass", true);
    device.publish(
        "city/emergency/sos/dev-1", "{\"ts\":1}".getBytes(StandardCharsets.UTF_8), 1, false);
    // Under its own name only: the ACL's %u is the user name, which is now also its client id.
    device.publish(
        "city/emergency/sos/dev-2", "{\"ts\":1}".getBytes(StandardCharsets.UTF_8), 1, false);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bridged.contains("city/emergency/sos/dev-1"));
    Thread.sleep(500); // what would have been kicked or delivered by now
    assertThat(lost).as("the bridge's connection").isEmpty();
    assertThat(bridge.isConnected()).isTrue();
    assertThat(bridged).containsExactly("city/emergency/sos/dev-1");
  }

  @Test
  void eachListenerKnowsOnlyItsOwnAccounts() {
    assertThatThrownBy(() -> connect(servicePort, "dev-1", "dev-1", "dev-pass", true))
        .isInstanceOf(MqttException.class);
    assertThatThrownBy(
            () -> connect(publicPort, "citybrain-bridge-0", "bridge", "bridge-pass", true))
        .isInstanceOf(MqttException.class);
  }

  @Test
  void dispatchOnTheServicesListenerReachesAManagerOnThePublicOne() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    // No client id, as mosquitto_sub sends by default: the broker names the session after the user.
    MqttClient manager = connect(publicPort, "", "mgr-1", "mgr-pass", true);
    manager.subscribe(
        "city/alerts/community/c-1",
        1,
        (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
    try (ConfirmedPublisher dispatch =
        ConfirmedPublisher.connect(
            "tcp://127.0.0.1:" + servicePort,
            "citybrain-dispatch-0",
            "dispatch",
            "dispatch-pass".toCharArray(),
            Duration.ofSeconds(10))) {
      dispatch.publishAndWait(
          "city/alerts/community/c-1",
          "{\"alertId\":\"sos-1-dev-1\"}".getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(10));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> received.contains("{\"alertId\":\"sos-1-dev-1\"}"));
  }

  @Test
  void aManagerAcknowledgesOnlyInTheirOwnNameAndReadsOnlyTheirCommunity() throws Exception {
    List<String> bridged = new CopyOnWriteArrayList<>();
    MqttClient bridge = connect(servicePort, "citybrain-bridge-0", "bridge", "bridge-pass", true);
    bridge.subscribe("city/ack/#", 1, (t, m) -> bridged.add(t));
    byte[] ack = "{\"ts\":1}".getBytes(StandardCharsets.UTF_8);
    // In another's name, and on contract v1's topic, which names nobody: each refused (Mosquitto
    // 2.0.11 then drops the connection, so each has its own).
    for (String refused : List.of("city/ack/sos-1-dev-1/mgr-2", "city/ack/sos-1-dev-1")) {
      MqttClient manager = connect(publicPort, "", "mgr-1", "mgr-pass", true);
      try {
        manager.publish(refused, ack, 1, false);
      } catch (MqttException dropped) {
        assertThat(manager.isConnected()).isFalse();
      }
    }
    connect(publicPort, "", "mgr-1", "mgr-pass", true)
        .publish("city/ack/sos-1-dev-1/mgr-1", ack, 1, false);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bridged.contains("city/ack/sos-1-dev-1/mgr-1"));
    Thread.sleep(500);
    assertThat(bridged).containsExactly("city/ack/sos-1-dev-1/mgr-1");
    // Mosquitto grants any subscription and applies the read rules at delivery: mgr-2 hears nothing
    // of c-1.
    List<String> heard = new CopyOnWriteArrayList<>();
    connect(publicPort, "", "mgr-2", "mgr2-pass", true)
        .subscribe("city/alerts/community/c-1", 1, (t, m) -> heard.add("mgr-2"));
    connect(publicPort, "", "mgr-1", "mgr-pass", true)
        .subscribe("city/alerts/community/c-1", 1, (t, m) -> heard.add("mgr-1"));
    try (ConfirmedPublisher dispatch =
        ConfirmedPublisher.connect(
            "tcp://127.0.0.1:" + servicePort,
            "citybrain-dispatch-0",
            "dispatch",
            "dispatch-pass".toCharArray(),
            Duration.ofSeconds(10))) {
      dispatch.publishAndWait(
          "city/alerts/community/c-1",
          "{}".getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(10));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("mgr-1"));
    Thread.sleep(500);
    assertThat(heard).containsExactly("mgr-1");
    assertThatThrownBy(() -> connect(publicPort, "", "mgr-2", "mgr-pass", true))
        .isInstanceOf(MqttException.class);
  }

  /**
   * Runs {@code ./citybrain users ARGS} in this JVM with the given standard input; it must succeed.
   */
  private static java.util.function.Consumer<String> users(String... args) {
    return stdin -> {
      java.io.InputStream in = System.in;
      java.io.PrintStream out = System.out;
      java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
      try {
        System.setIn(
            new java.io.ByteArrayInputStream((stdin + "\n").getBytes(StandardCharsets.UTF_8)));
        System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        List<String> all = new ArrayList<>(List.of("users"));
        all.addAll(List.of(args));
        int code = new picocli.CommandLine(new CityCli()).execute(all.toArray(String[]::new));
        assertThat(code).as("citybrain %s: %s", all, printed).isZero();
      } finally {
        System.setIn(in);
        System.setOut(out);
      }
    };
  }

  private MqttClient connect(int port, String clientId, String user, String password, boolean clean)
      throws MqttException {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setUserName(user);
    o.setPassword(password.toCharArray());
    o.setConnectionTimeout(10);
    c.connect(o);
    clients.add(c);
    return c;
  }

  /** The ConfigMap's {@code mosquitto.conf: |} block, unindented. */
  static String configOf(String yaml) {
    return blockOf(yaml, "mosquitto.conf");
  }

  /** The text of a {@code key: |} block of a ConfigMap's or Secret's data, unindented. */
  static String blockOf(String yaml, String key) {
    List<String> lines = yaml.lines().toList();
    int start = lines.indexOf("  " + key + ": |");
    assertThat(start).as("%s in the manifest", key).isNotNegative();
    StringBuilder conf = new StringBuilder();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (!line.startsWith("    ") && !line.isBlank()) {
        break;
      }
      conf.append(line.strip()).append('\n');
    }
    return conf.toString();
  }

  private static void passwd(Path file, String... userPasswordPairs)
      throws IOException, InterruptedException {
    for (int i = 0; i < userPasswordPairs.length; i += 2) {
      List<String> cmd = new ArrayList<>(List.of(PASSWD.toString(), "-b"));
      if (i == 0) {
        cmd.add("-c");
      }
      cmd.addAll(List.of(file.toString(), userPasswordPairs[i], userPasswordPairs[i + 1]));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
    }
  }
}
