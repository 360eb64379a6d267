package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  /** A broker's client and controller listeners on one port do not start: chosen together, they differ. */
  @Test
  void portsChosenTogetherAreAllDifferentAndAGivenOneIsKept() {
    for (int round = 0; round < 50; round++) {
      int[] ports = FreePorts.resolveDistinct(0, 0, 0, 0, 0, 0, 4242);
      assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(ports.length);
      assertThat(ports[6]).isEqualTo(4242);
      assertThat(Arrays.stream(ports).limit(6)).allMatch(p -> p > 0);
    }
  }
}
