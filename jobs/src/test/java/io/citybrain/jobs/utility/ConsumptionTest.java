package io.citybrain.jobs.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumptionTest {

  private static final long MINUTE = 60_000L;
  private static final long T1000 = Instant.parse("2026-01-05T02:00:00Z").toEpochMilli();
  private static final long T1001 = T1000 + MINUTE;
  private static final long T1002 = T1000 + 2 * MINUTE;
  private static final long T1003 = T1000 + 3 * MINUTE;

  @Test
  void aSegmentAcrossOneBoundaryIsSplitWithTheRateInterpolatedThere() {
    // 6 → 12 m³/h from :30 to :30; 9 m³/h at the boundary: (6+9)/2·30 s = 0.0625 m³, (9+12)/2·30 s
    // = 0.0875 m³.
    List<Consumption.Slice> s =
        Consumption.between(T1000 + 30_000, 6, T1001 + 30_000, 12, MINUTE, 2 * MINUTE);
    assertThat(s).extracting(Consumption.Slice::windowEnd).containsExactly(T1001, T1002);
    assertThat(s.get(0).amount()).isCloseTo(0.0625, within(1e-12));
    assertThat(s.get(1).amount()).isCloseTo(0.0875, within(1e-12));
  }

  @Test
  void aSegmentOverThreeWindowsSumsToTheTrapezoid() {
    // 0 → 120 kW over two minutes: 30 kW at :01, 90 kW at :02; 0.125 + 1.0 + 0.875 = 2 kWh.
    List<Consumption.Slice> s =
        Consumption.between(T1000 + 30_000, 0, T1002 + 30_000, 120, MINUTE, 2 * MINUTE);
    assertThat(s).extracting(Consumption.Slice::windowEnd).containsExactly(T1001, T1002, T1003);
    assertThat(s).extracting(Consumption.Slice::amount).containsExactly(0.125, 1.0, 0.875);
  }

  @Test
  void readingsOnBoundariesFallInTheWindowTheyClose() {
    List<Consumption.Slice> s = Consumption.between(T1000, 60, T1001, 60, MINUTE, 2 * MINUTE);
    assertThat(s).containsExactly(new Consumption.Slice(T1001, 1.0));
  }

  @Test
  void aGapLongerThanTheLimitOrBackwardsIsNotIntegrated() {
    assertThat(Consumption.between(T1000, 60, T1003, 60, MINUTE, 2 * MINUTE)).isEmpty();
    assertThat(Consumption.between(T1001, 60, T1000, 60, MINUTE, 2 * MINUTE)).isEmpty();
    assertThat(Consumption.between(T1000, 60, T1000, 60, MINUTE, 2 * MINUTE)).isEmpty();
  }
}
