package io.citybrain.connectors.bridge;

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
  public record Snapshot(long received, long forwarded, Map<String, Long> deadLetters, int inFlight,
      long connects, long connectionsLost, long kafkaFailures, long maxLatencyMs) {

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

  void received() {
    received.incrementAndGet();
  }

  void sent() {
    inFlight.incrementAndGet();
  }

  void stored(long latencyMs) {
    forwarded.incrementAndGet();
    settled(latencyMs);
  }

  void deadLettered(String reasonCode, long latencyMs) {
    deadLetters.computeIfAbsent(reasonCode, r -> new AtomicLong()).incrementAndGet();
    settled(latencyMs);
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
    return new Snapshot(received.get(), forwarded.get(), Map.copyOf(byReason), (int) inFlight.get(),
        connects.get(), connectionsLost.get(), kafkaFailures.get(), latency);
  }
}
