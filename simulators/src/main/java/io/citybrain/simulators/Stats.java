package io.citybrain.simulators;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Sent, acknowledged and failed messages, in all and per device kind. Thread-safe. */
public final class Stats {
  private final Map<String, LongAdder[]> byKind = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();

  private LongAdder[] of(String kind) {
    return byKind.computeIfAbsent(
        kind, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
  }

  void sent(String kind) {
    of(kind)[0].increment();
  }

  void acked(String kind) {
    of(kind)[1].increment();
  }

  void failed(String kind) {
    failed(kind, "unknown");
  }

  void failed(String kind, String reason) {
    of(kind)[2].increment();
    reasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** Why messages failed: reason → count, most frequent first. */
  public Map<String, Long> failureReasons() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    reasons.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
    return out;
  }

  public long sent() {
    return byKind.values().stream().mapToLong(a -> a[0].sum()).sum();
  }

  public long acked() {
    return byKind.values().stream().mapToLong(a -> a[1].sum()).sum();
  }

  public long failed() {
    return byKind.values().stream().mapToLong(a -> a[2].sum()).sum();
  }

  /** kind → {sent, acknowledged, failed}, sorted by kind. */
  public Map<String, long[]> byKind() {
    Map<String, long[]> out = new TreeMap<>();
    byKind.forEach((k, a) -> out.put(k, new long[] {a[0].sum(), a[1].sum(), a[2].sum()}));
    return out;
  }
}
