package io.citybrain.simulators;

import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.FreePorts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Messages/s the simulator sustains into a broker, not run by {@code verify}: the simulation of a
 * {@code --devices} fleet played flat out (no rate cap, simulated time far ahead of what can be
 * sent) through {@link Publisher}, against a bare Paho loop publishing one fixed message of the
 * same size with the same client settings, on the embedded Moquette and on a Mosquitto child
 * process, at QoS 0 and 1. A run ends when the broker has acknowledged everything (QoS 1) or the
 * client has written everything (QoS 0).
 *
 * <p>Besides wall-clock rates it prints CPU time, because the machine is shared: the process's
 * CPU-seconds per 100,000 messages (with Moquette this includes the broker, which runs in this
 * process) and those of the publishing thread alone.
 *
 * <p>{@code -Dbench.messages=200000 -Dbench.devices=100000} (defaults).
 */
public final class SimulatorBenchmark {
  private static final int N = Integer.getInteger("bench.messages", 200_000);
  private static final int DEVICES = Integer.getInteger("bench.devices", 100_000);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private record Result(
      long messages, double seconds, double processCpuS, double threadCpuS, long failed) {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("sim-bench");
    System.out.printf(
        "simulator benchmark: %,d messages per run, fleet of %,d devices, %d cores, %s %s%n",
        N,
        DEVICES,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    long t0 = System.nanoTime();
    Fleet fleet = Fleet.build(io.citybrain.geo.CityPackage.generatedHangzhou(42), DEVICES, 42);
    System.out.printf("fleet built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    double[] sample = sample(fleet);
    int mean = (int) sample[0];
    double perSimSecond = sample[1];
    System.out.printf(
        "mean payload %d bytes, %.0f messages per simulated second%n", mean, perSimSecond);
    byte[] payload = new byte[mean];
    java.util.Arrays.fill(payload, (byte) 'x');

    try (EmbeddedMqttBroker moquette =
            EmbeddedMqttBroker.startAnonymous(dir.resolve("moquette"), 0);
        Mosquitto mosquitto = new Mosquitto(dir.resolve("mosquitto"))) {
      // Warm-up, not reported: the JIT compiles the simulation, Jackson and Paho first.
      simulator(fleet, moquette.url(), 0, N / 2);
      bare(moquette.url(), 0, payload, N / 2);
      for (String broker : List.of("Moquette", "Mosquitto")) {
        String url = broker.equals("Moquette") ? moquette.url() : mosquitto.url();
        for (int qos : new int[] {0, 1}) {
          report(broker, qos, "bare Paho loop (baseline)", bare(url, qos, payload, N));
          report(broker, qos, "simulator (" + DEVICES + " devices)", simulator(fleet, url, qos, N));
        }
      }
    }
  }

  private static double perSimSecond;

  /** Mean payload size and messages per simulated second of the fleet's first 10,000 messages. */
  private static double[] sample(Fleet fleet) {
    Simulation sim =
        new Simulation(
            fleet,
            new Simulation.Settings(
                1,
                Scenario.NORMAL_DAY,
                1,
                null,
                Instant.parse("2026-01-05T00:00:00Z"),
                Chaos.NONE));
    long bytes = 0;
    int n = 0;
    long first = -1;
    long last = 0;
    while (n < 10_000) {
      for (Message m : sim.next()) {
        bytes += m.payload().length;
        n++;
        first = first < 0 ? m.eventTs() : first;
        last = m.eventTs();
      }
    }
    perSimSecond = n / ((last - first) / 1000.0);
    return new double[] {bytes / (double) n, perSimSecond};
  }

  private static void report(String broker, int qos, String who, Result r) {
    System.out.printf(
        "%-9s QoS %d  %-28s %,9.0f msg/s   %.2f CPU-s/100k (process)  %.2f CPU-s/100k (publishing thread)  %,d in %.1f s, %d failed%n",
        broker,
        qos,
        who,
        r.messages / r.seconds,
        r.processCpuS * 100_000 / r.messages,
        r.threadCpuS * 100_000 / r.messages,
        r.messages,
        r.seconds,
        r.failed);
  }

  private static Result simulator(Fleet fleet, String url, int qos, int n) throws Exception {
    Stats stats = new Stats();
    // Played for the simulated time that holds about n messages; at speed 1000 a wall second asks
    // for far more than any broker takes, so the simulator always has work.
    Duration simulated = Duration.ofMillis((long) (n / perSimSecond * 1000));
    Simulation sim =
        new Simulation(
            fleet,
            new Simulation.Settings(
                42,
                Scenario.NORMAL_DAY,
                1000,
                simulated,
                Instant.parse("2026-01-05T00:00:00Z"),
                Chaos.NONE));
    long cpu0 = OS.getProcessCpuTime();
    long thread0 = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    try (Publisher p =
        new Publisher(
            new Publisher.Target(url, "bench-sim-" + System.nanoTime(), null, null, qos),
            0,
            null,
            stats)) {
      sim.run(p, stats, () -> false, line -> {});
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(
        stats.sent(),
        seconds,
        (OS.getProcessCpuTime() - cpu0) / 1e9,
        (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9,
        stats.failed());
  }

  /** The baseline: the same Paho client settings as {@link Publisher}, one fixed message. */
  private static Result bare(String url, int qos, byte[] payload, int n) throws Exception {
    MqttAsyncClient client =
        new MqttAsyncClient(url, "bench-bare-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    o.setMaxInflight(65_535);
    client.connect(o).waitForCompletion(30_000);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    IMqttActionListener listener =
        new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            done.incrementAndGet();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable e) {
            failed.incrementAndGet();
          }
        };
    long cpu0 = OS.getProcessCpuTime();
    long thread0 = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      MqttMessage m = new MqttMessage(payload);
      m.setQos(qos);
      while (true) {
        try {
          client.publish("city/utility/power/power-" + (i % DEVICES), m, null, listener);
          break;
        } catch (MqttException e) {
          if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT
              && e.getReasonCode() != MqttException.REASON_CODE_NO_MESSAGE_IDS_AVAILABLE) {
            throw e;
          }
          Thread.sleep(1);
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (done.get() + failed.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Result r =
        new Result(
            n,
            seconds,
            (OS.getProcessCpuTime() - cpu0) / 1e9,
            (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9,
            n - done.get());
    try {
      client.disconnect().waitForCompletion(5_000);
    } catch (MqttException e) {
      client.disconnectForcibly(0, 1_000);
    }
    client.close(true);
    return r;
  }

  /** Debian's mosquitto 2 on an ephemeral port of 127.0.0.1, installed by .ci/run. */
  private static final class Mosquitto implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private final int port = FreePorts.resolve(0);
    private final Process process;

    Mosquitto(Path dir) throws IOException, InterruptedException {
      if (!Files.isExecutable(BINARY)) {
        throw new IllegalStateException(
            "mosquitto is not installed: apt-get install -y mosquitto (.ci/run does it)");
      }
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("mosquitto.conf"),
          String.join(
                  "\n",
                  "listener " + port + " 127.0.0.1",
                  "user " + System.getProperty("user.name"),
                  "allow_anonymous true",
                  "persistence false",
                  "max_queued_messages 0",
                  "max_inflight_messages 1000",
                  "log_dest file " + dir.toAbsolutePath().resolve("mosquitto.log"),
                  "log_type error")
              + "\n",
          StandardCharsets.UTF_8);
      process =
          new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("mosquitto.out").toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return;
        } catch (IOException notYet) {
          if (!process.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "mosquitto did not start; see " + dir.resolve("mosquitto.out"));
          }
          Thread.sleep(50);
        }
      }
    }

    String url() {
      return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
