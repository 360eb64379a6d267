package io.citybrain.connectors.bridge;

import io.citybrain.connectors.kafka.KafkaClients;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Sustained messages/s from the broker into Kafka at QoS 1, not run by {@code verify}. For each
 * broker (Moquette, Mosquitto) and each consumer (the bridge; a plain Paho subscriber whose
 * callback only hands the record to the producer, so the broker gets its PUBACK before Kafka has
 * the record; and on Mosquitto two bridges on a shared subscription): a backlog of {@code N}
 * messages is queued in the consumer's persistent session while it is away, then it connects and
 * the time until Kafka has acknowledged all {@code N} is measured. Draining a backlog measures the
 * consumer alone, not the publisher, which on two cores would compete for the same CPU.
 *
 * <p>Where the CPU goes: for each bridge run, the CPU time of this JVM's threads during the drain,
 * grouped by role (for the bridge, on the HiveMQ client since issue 23: its network threads —
 * receiving, decoding, PUBACKs — and the bridge's listener thread — validation, JSON and {@code
 * producer.send}; for the Paho baseline, Paho's receiver, callback and sender threads; Kafka's
 * producer I/O thread, and the rest: the in-process Kafka broker), per message; and, measured alone
 * in the same run, the CPU per message of the validator and of the Kafka value encoding. CPU time,
 * not wall time, because the machine is shared.
 *
 * <p>{@code -Dbench.messages=50000} (default); {@code -Dbench.brokers=MOSQUITTO} to skip Moquette.
 */
public final class BridgeBenchmark {
  private static final int N = Integer.getInteger("bench.messages", 50_000);
  private static final long OBSERVED = 1_767_600_000_000L;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("bridge-bench");
    System.out.printf(
        "bridge benchmark: %d messages per run, %d cores, %s%n",
        N,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of())) {
      KafkaTopics.create(kafka.bootstrapServers());
      int run = 0;
      validationCost();
      for (TestBroker.Kind kind : brokers()) {
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("mqtt-" + kind))) {
          // OBSERVED is a recorded instant: the age limit is off, as for any replay.
          BridgeSettings base =
              BridgeSettings.local(broker.url(), kafka.bootstrapServers())
                  .withMaxReadingAge(io.citybrain.connectors.envelope.IngestValidator.NO_AGE_LIMIT);
          report(
              kind,
              "broker alone: plain Paho subscriber, no Kafka",
              plain(broker, null, "alone-" + run++));
          report(
              kind,
              "plain Paho subscriber -> producer (acks before Kafka)",
              plain(broker, kafka, "plain-" + run++));
          String id = "bench-" + run++;
          report(
              kind,
              "bridge (ack after Kafka)",
              bridges(broker, List.of(base.toBuilder().instance(id, "city/#").build())));
          if (kind == TestBroker.Kind.MOSQUITTO) {
            report(
                kind,
                "bridge, MQTT 5 (ack after Kafka)",
                bridges(
                    broker,
                    List.of(
                        base.toBuilder()
                            .instance("bench-v5-" + run++, "city/#")
                            .mqttVersion(BridgeSettings.MqttVersion.V5)
                            .build())));
          }
          if (broker.sharedSubscriptions()) {
            String share = "$share/bench" + run++ + "/city/#";
            report(
                kind,
                "2 bridges, shared subscription",
                bridges(
                    broker,
                    List.of(
                        base.toBuilder().instance("bench-a" + run, share).build(),
                        base.toBuilder().instance("bench-b" + run, share).build())));
          }
        }
      }
    }
  }

  private static void report(TestBroker.Kind kind, String consumer, double seconds) {
    System.out.printf(
        "%-10s %-55s %,9.0f msg/s  (%d in %.1f s)%n", kind, consumer, N / seconds, N, seconds);
  }

  /** Subscribes the bridges' sessions, queues the backlog, then times the bridges draining it. */
  private static double bridges(TestBroker broker, List<BridgeSettings> instances)
      throws Exception {
    for (BridgeSettings s : instances) {
      MqttKafkaBridge.start(s).close(); // leaves a persistent session with its subscription
    }
    backlog(broker);
    long start = System.nanoTime();
    List<MqttKafkaBridge> running = new ArrayList<>();
    for (BridgeSettings s : instances) {
      running.add(MqttKafkaBridge.start(s));
    }
    Map<String, Long> cpuBefore = cpuByRole();
    long brokerBefore = broker.cpuNanos();
    await(() -> running.stream().mapToLong(b -> b.metrics().snapshot().forwarded()).sum(), start);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpuAfter = cpuByRole();
    long brokerCpu = broker.cpuNanos() - brokerBefore;
    StringBuilder split = new StringBuilder("           CPU per message:");
    long total = 0;
    for (Map.Entry<String, Long> e : cpuAfter.entrySet()) {
      long ns = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
      total += ns;
      split.append(String.format(" %s %.1f us;", e.getKey(), ns / 1e3 / N));
    }
    System.out.println(
        split.append(
            String.format(
                " total in this JVM %.1f us; MQTT broker process %s",
                total / 1e3 / N,
                brokerCpu < 0 ? "in this JVM" : String.format("%.1f us", brokerCpu / 1e3 / N))));
    running.forEach(MqttKafkaBridge::close);
    return seconds;
  }

  private static List<TestBroker.Kind> brokers() {
    String only = System.getProperty("bench.brokers");
    return only == null
        ? List.of(TestBroker.Kind.values())
        : java.util.Arrays.stream(only.split(","))
            .map(String::trim)
            .map(TestBroker.Kind::valueOf)
            .toList();
  }

  /**
   * CPU time of this JVM's live threads, summed by their role (from Paho's and Kafka's thread
   * names).
   */
  private static Map<String, Long> cpuByRole() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> byRole = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long ns = mx.getThreadCpuTime(t.getThreadId());
      if (ns > 0) {
        byRole.merge(role(t.getThreadName()), ns, Long::sum);
      }
    }
    return byRole;
  }

  private static String role(String thread) {
    if (thread.startsWith("MQTT Rec")) {
      return "paho-receive";
    } else if (thread.startsWith("MQTT Call")) {
      return "paho-callback(validate+json+send)";
    } else if (thread.startsWith("MQTT Snd")
        || thread.startsWith("MQTT Ping")
        || thread.startsWith("MQTT Con")) {
      return "paho-send(pubacks)";
    } else if (thread.startsWith("citybrain-mqtt-network")) {
      // The HiveMQ client's Netty threads: reading and decoding, and writing the PUBACKs.
      return "hivemq-network(receive+pubacks)";
    } else if (thread.startsWith("bridge-mqtt-")) {
      return "bridge-listener(validate+json+send)";
    } else if (thread.startsWith("kafka-producer-network-thread")) {
      return "kafka-producer-io";
    }
    return "kafka-broker+other";
  }

  /**
   * The validator and the Kafka value encoding alone, on the benchmark's reading: CPU per message.
   */
  private static void validationCost() {
    io.citybrain.connectors.envelope.IngestValidator validator =
        new io.citybrain.connectors.envelope.IngestValidator();
    byte[] payload = QosOnePublisher.floodReading(OBSERVED);
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long sink = 0;
    // Whole loops timed: a clock read per message would cost as much as what it measures.
    var reading =
        (io.citybrain.connectors.envelope.IngestResult.Reading)
            validator.validate("city/emergency/flood/b-0", payload, OBSERVED);
    for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
      long t0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < N; i++) {
        if (validator.validate("city/emergency/flood/b-" + i, payload, OBSERVED)
            instanceof io.citybrain.connectors.envelope.IngestResult.Reading) {
          sink++;
        }
      }
      long t1 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < N; i++) {
        sink += io.citybrain.connectors.envelope.EnvelopeCodec.encode(reading.envelope()).length;
      }
      long t2 = mx.getCurrentThreadCpuTime();
      if (round == 2) {
        System.out.printf(
            "alone, on one thread: validation %.1f us CPU/msg; Kafka value encoding %.1f us CPU/msg (checksum %d)%n",
            (t1 - t0) / 1e3 / N, (t2 - t1) / 1e3 / N, sink);
      }
    }
  }

  /**
   * A plain Paho subscriber draining the backlog; with {@code kafka} its callback hands each
   * message to a producer (the broker has its PUBACK before Kafka has the record), without it the
   * callback only counts: the broker's own QoS 1 rate to one subscriber, no Kafka at all.
   */
  private static double plain(TestBroker broker, EmbeddedKafka kafka, String clientId)
      throws Exception {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    o.setMaxInflight(1000);
    MqttClient first = new MqttClient(broker.url(), clientId, new MemoryPersistence());
    first.connect(o);
    first.subscribe("city/#", 1);
    first.disconnect();
    first.close();
    backlog(broker);
    AtomicLong stored = new AtomicLong();
    try (KafkaProducer<String, byte[]> producer =
        kafka == null
            ? null
            : new KafkaProducer<>(
                KafkaClients.reliableProducer(kafka.bootstrapServers(), clientId))) {
      long start = System.nanoTime();
      MqttClient client = new MqttClient(broker.url(), clientId, new MemoryPersistence());
      client.setCallback(
          new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
              if (producer == null) {
                stored.incrementAndGet();
                return;
              }
              producer.send(
                  new ProducerRecord<>(
                      Topics.RAW_EMERGENCY,
                      topic.substring(topic.lastIndexOf('/') + 1),
                      message.getPayload()),
                  (m, e) -> {
                    if (e == null) {
                      stored.incrementAndGet();
                    }
                  });
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
          });
      client.connect(o);
      await(stored::get, start);
      double seconds = (System.nanoTime() - start) / 1e9;
      client.disconnect();
      client.close();
      return seconds;
    }
  }

  private static void backlog(TestBroker broker) {
    QosOnePublisher p =
        new QosOnePublisher(
            broker.url(),
            "bench-publisher",
            N,
            QosOnePublisher.floodTopic("b-"),
            QosOnePublisher.floodReading(OBSERVED),
            1000,
            600_000);
    p.run();
    if (p.failure() != null) {
      throw new IllegalStateException("backlog not published", p.failure());
    }
  }

  private static void await(LongSupplier done, long startNanos) {
    while (done.getAsLong() < N) {
      if (System.nanoTime() - startNanos > 600_000_000_000L) {
        throw new IllegalStateException(
            "only " + done.getAsLong() + " of " + N + " in ten minutes");
      }
      TestBroker.sleep(5);
    }
  }
}
