package io.citybrain.connectors.bridge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's counters. Thread-safe: updated from the MQTT callback thread and the Kafka producer
 * thread, read by anyone.
 */
public final class BridgeMetrics {

  /**
   * What the bridge has done since it started.
   *
   * @param received MQTT messages handed to the bridge (redeliveries included)
   * @param forwarded readings and acknowledgements Kafka has stored
   * @param deadLetters dead letters Kafka has stored, by reason code
   * @param inFlight messages received and not yet stored by Kafka (or given up)
   * @param connects successful broker connections (the first one included)
   * @param connectionsLost broker connections lost or dropped on purpose
   * @param kafkaFailures records Kafka refused in the end; each makes the bridge reconnect so that
   *     the broker redelivers
   * @param maxLatencyMs the longest time from MQTT arrival to Kafka's acknowledgement since the
   *     previous {@link BridgeMetrics#snapshotAndResetLatency()}
   */
  public record Snapshot(
      long received,
      long forwarded,
      Map<String, Long> deadLetters,
      int inFlight,
      long connects,
      long connectionsLost,
      long kafkaFailures,
      long maxLatencyMs) {

    public long deadLettered() {
      return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final AtomicLong received = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong connectionsLost = new AtomicLong();
  private final AtomicLong kafkaFailures = new AtomicLong();
  private final AtomicLong maxLatencyMs = new AtomicLong();

  /** [outcome, domain, reason] → count, for the meters. */
  private final Map<List<String>, AtomicLong> outcomes = new ConcurrentHashMap<>();

  private volatile MeterRegistry registry;

  void received() {
    received.incrementAndGet();
  }

  void sent() {
    inFlight.incrementAndGet();
  }

  void stored(String mqttTopic, long latencyMs) {
    forwarded.incrementAndGet();
    outcome("stored", domainOf(mqttTopic), "none");
    settled(latencyMs);
  }

  void deadLettered(String mqttTopic, String reasonCode, long latencyMs) {
    deadLetters.computeIfAbsent(reasonCode, r -> new AtomicLong()).incrementAndGet();
    outcome("dead_letter", domainOf(mqttTopic), reasonCode);
    settled(latencyMs);
  }

  /**
   * The contract's domain of a topic, {@code ack} for acknowledgements, else {@code other}: a label
   * with a fixed set of values, whatever topics hostile clients invent.
   */
  static String domainOf(String mqttTopic) {
    String[] levels = mqttTopic.split("/", 4);
    if (levels.length < 2 || !"city".equals(levels[0])) {
      return "other";
    }
    return switch (levels[1]) {
      case "traffic", "utility", "emergency", "community", "ack" -> levels[1];
      default -> "other";
    };
  }

  private void outcome(String outcome, String domain, String reason) {
    outcomes
        .computeIfAbsent(
            List.of(outcome, domain, reason),
            k -> {
              AtomicLong n = new AtomicLong();
              MeterRegistry r = registry;
              if (r != null) {
                register(r, k, n);
              }
              return n;
            })
        .incrementAndGet();
  }

  private static void register(MeterRegistry r, List<String> key, AtomicLong n) {
    FunctionCounter.builder("citybrain.bridge.messages", n, AtomicLong::get)
        .description(
            "MQTT messages the bridge settled: stored in city.raw.* or city.acks, or dead-lettered with a reason")
        .tags("outcome", key.get(0), "domain", key.get(1), "reason", key.get(2))
        .register(r);
  }

  /**
   * Exposes the counters as meters (issue 21): {@code citybrain_bridge_messages_total} by outcome,
   * domain and dead-letter reason (reason codes are a fixed set, contract v1), received, in flight,
   * connections and Kafka failures.
   */
  public void bindTo(MeterRegistry r) {
    registry = r;
    outcomes.forEach((k, n) -> register(r, k, n));
    FunctionCounter.builder("citybrain.bridge.messages.received", received, AtomicLong::get)
        .description("MQTT messages handed to the bridge, redeliveries included")
        .register(r);
    Gauge.builder("citybrain.bridge.messages.in.flight", inFlight, AtomicLong::get)
        .description("messages received and not yet stored by Kafka")
        .register(r);
    FunctionCounter.builder("citybrain.bridge.connects", connects, AtomicLong::get)
        .description("successful broker connections, the first one included")
        .register(r);
    FunctionCounter.builder("citybrain.bridge.connections.lost", connectionsLost, AtomicLong::get)
        .description("broker connections lost or dropped to have the broker redeliver")
        .register(r);
    FunctionCounter.builder("citybrain.bridge.kafka.failures", kafkaFailures, AtomicLong::get)
        .description("records Kafka refused in the end; each makes the bridge reconnect")
        .register(r);
  }

  void failed() {
    kafkaFailures.incrementAndGet();
    inFlight.decrementAndGet();
  }

  void connected() {
    connects.incrementAndGet();
  }

  void connectionLost() {
    connectionsLost.incrementAndGet();
  }

  private void settled(long latencyMs) {
    inFlight.decrementAndGet();
    maxLatencyMs.accumulateAndGet(latencyMs, Math::max);
  }

  /** The counters now. */
  public Snapshot snapshot() {
    return snapshot(maxLatencyMs.get());
  }

  /** The counters now, and starts a new latency interval (for periodic reporting). */
  public Snapshot snapshotAndResetLatency() {
    return snapshot(maxLatencyMs.getAndSet(0));
  }

  private Snapshot snapshot(long latency) {
    Map<String, Long> byReason = new TreeMap<>();
    deadLetters.forEach((reason, n) -> byReason.put(reason, n.get()));
    return new Snapshot(
        received.get(),
        forwarded.get(),
        Map.copyOf(byReason),
        (int) inFlight.get(),
        connects.get(),
        connectionsLost.get(),
        kafkaFailures.get(),
        latency);
  }
}
