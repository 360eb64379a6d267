package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  /**
   * A broker's client and controller listeners on one port do not start: ports picked one after
   * another, before anything binds them, all differ (the kernel would offer a just-closed one
   * again).
   */
  @Test
  void portsPickedOneAfterAnotherAllDifferAndAGivenOneIsKept() {
    int[] ports = IntStream.range(0, 500).map(i -> FreePorts.resolve(0)).toArray();
    assertThat(IntStream.of(ports).distinct().count()).isEqualTo(ports.length);
    assertThat(FreePorts.resolve(4242)).isEqualTo(4242);
  }
}
