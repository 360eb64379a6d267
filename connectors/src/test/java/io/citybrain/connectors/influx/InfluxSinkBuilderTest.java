package io.citybrain.connectors.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.influxdb.client.write.Point;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InfluxSinkBuilderTest {

  @Test
  void eachWrongSettingIsNamed() {
    assertThatThrownBy(() -> new InfluxSettings("localhost:8086", "o", "b", "t")).hasMessageStartingWith("influx.url must be");
    assertThatThrownBy(() -> new InfluxSettings("http://x", " ", "b", "t")).hasMessage("influx.org must be set");
    assertThatThrownBy(() -> new InfluxSettings("http://x", "o", "", "t")).hasMessage("influx.bucket must be set");
    assertThatThrownBy(() -> new InfluxSettings("http://x", "o", "b", null)).hasMessageStartingWith("influx.token must be set");
    assertThatThrownBy(() -> InfluxSink.builder().batchSize(0)).hasMessage("influx.batch-size must be within 1..100000, got 0");
    assertThatThrownBy(() -> InfluxSink.builder().flushInterval(Duration.ofMinutes(5))).hasMessageStartingWith("influx.flush-interval");
    assertThatThrownBy(() -> InfluxSink.builder().maxRetries(-1)).hasMessageStartingWith("influx.max-retries");
    assertThatThrownBy(() -> InfluxSink.<String>builder().converter(s -> Point.measurement(s)).build())
        .hasMessageStartingWith("InfluxSink needs settings");
  }

  @Test
  void theTokenNeverAppearsInText() {
    assertThat(new InfluxSettings("http://x", "o", "b", "s3cret-token").toString()).doesNotContain("s3cret-token");
  }
}
