package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

/**
 * Store rows compared as equal indicators: exactly, except that doubles may differ in their last
 * bits.
 */
public final class SameRows {
  private SameRows() {}

  /**
   * Both lists in the same order (the queries order them by time and tags). Doubles may differ in
   * the last bits: a window's sums are added in the order its readings arrived.
   */
  public static void assertSameRows(
      List<Map<String, Object>> actual, List<Map<String, Object>> expected, String what) {
    assertThat(actual).as(what + ": number of rows").hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Map<String, Object> e = expected.get(i);
      Map<String, Object> a = actual.get(i);
      assertThat(a.keySet()).as(what).isEqualTo(e.keySet());
      for (Map.Entry<String, Object> c : e.entrySet()) {
        if (c.getValue() instanceof Double d) {
          assertThat(((Number) a.get(c.getKey())).doubleValue())
              .as(what + ": " + c.getKey() + " of " + e + " vs " + a)
              .isCloseTo(d, within(1e-9 * Math.max(1, Math.abs(d))));
        } else {
          assertThat(a.get(c.getKey()))
              .as(what + ": " + c.getKey() + " of " + e + " vs " + a)
              .isEqualTo(c.getValue());
        }
      }
    }
  }
}
