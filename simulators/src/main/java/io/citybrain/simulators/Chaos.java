package io.citybrain.simulators;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Faults a real fleet has, on purpose, to test the pipeline: malformed payloads, duplicates,
 * out-of-order delivery, clock skew per device, and devices that drop out and come back.
 * Percentages are of messages (or of devices, for skew and dropouts), 0 to 100.
 *
 * @param maxSkewMs a skewed device's clock is off by up to this, either way
 */
public record Chaos(
    double malformedPct,
    double duplicatePct,
    double disorderPct,
    double skewedPct,
    long maxSkewMs,
    double dropoutPct) {

  public static final Chaos NONE = new Chaos(0, 0, 0, 0, 0, 0);

  public Chaos {
    check(malformedPct, "--chaos-malformed");
    check(duplicatePct, "--chaos-duplicates");
    check(disorderPct, "--chaos-disorder");
    check(skewedPct, "--chaos-skewed");
    check(dropoutPct, "--chaos-dropout");
    if (maxSkewMs < 0) {
      throw new IllegalArgumentException("--chaos-max-skew must not be negative");
    }
  }

  private static void check(double pct, String option) {
    if (!(pct >= 0 && pct <= 100)) {
      throw new IllegalArgumentException(
          option + " must be a percentage within 0..100, got " + pct);
    }
  }

  /**
   * What to send for one message: usually the message itself; sometimes a corrupted copy, or two
   * copies. Disorder is applied by the caller holding a message back ({@link #holdBack}).
   */
  List<Message> apply(Message m, Random r) {
    List<Message> out = new ArrayList<>(2);
    if (r.nextDouble() * 100 < malformedPct) {
      out.add(new Message(m.topic(), corrupt(m.payload(), r), m.kind(), m.eventTs()));
      return out;
    }
    out.add(m);
    if (r.nextDouble() * 100 < duplicatePct) {
      out.add(m);
    }
    return out;
  }

  boolean holdBack(Random r) {
    return r.nextDouble() * 100 < disorderPct;
  }

  /** Truncation, a broken number or a missing field: the faults seen from cheap firmware. */
  static byte[] corrupt(byte[] payload, Random r) {
    String s = new String(payload, StandardCharsets.UTF_8);
    String bad =
        switch (r.nextInt(3)) {
          case 0 -> s.substring(0, Math.max(1, s.length() / 2));
          case 1 -> s.replaceFirst(":(-?[0-9.]+)", ":NaN");
          default -> s.replaceFirst("\"ts\":[^,}]+,?", "");
        };
    return bad.getBytes(StandardCharsets.UTF_8);
  }
}
