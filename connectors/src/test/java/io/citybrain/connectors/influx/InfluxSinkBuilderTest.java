package io.citybrain.connectors.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InfluxSinkBuilderTest {

  private static final String TOKEN = "s3cret-token";
  private static final InfluxSettings SETTINGS =
      new InfluxSettings("http://127.0.0.1:8086", "city", "ops", TOKEN);
  private static final long WINDOW_END = 1_764_000_000_000L;
  private static final List<String> BATCH =
      List.of(
          "traffic_district,district=330106 mean_speed_kmh=31.5,samples=4i 1764000000000",
          "traffic_district,district=330105 mean_speed_kmh=\"fast\",samples=4i 1764000000000");

  @Test
  void eachWrongSettingIsNamed() {
    assertThatThrownBy(() -> new InfluxSettings("localhost:8086", "o", "b", "t"))
        .hasMessageStartingWith("influx.url must be");
    assertThatThrownBy(() -> new InfluxSettings("http://x", " ", "b", "t"))
        .hasMessage("influx.org must be set");
    assertThatThrownBy(() -> new InfluxSettings("http://x", "o", "", "t"))
        .hasMessage("influx.bucket must be set");
    assertThatThrownBy(() -> new InfluxSettings("http://x", "o", "b", null))
        .hasMessageStartingWith("influx.token must be set");
    assertThatThrownBy(() -> InfluxSink.builder().batchSize(0))
        .hasMessage("influx.batch-size must be within 1..100000, got 0");
    assertThatThrownBy(() -> InfluxSink.builder().flushInterval(Duration.ofMinutes(5)))
        .hasMessageStartingWith("influx.flush-interval");
    assertThatThrownBy(() -> InfluxSink.builder().maxRetries(-1))
        .hasMessageStartingWith("influx.max-retries");
    assertThatThrownBy(() -> InfluxSink.builder().maxRetries(101))
        .hasMessage("influx.max-retries must be within 0..100, got 101");
    assertThatThrownBy(() -> InfluxSink.builder().requestTimeout(Duration.ofMillis(5)))
        .hasMessage("influx.request-timeout must be within 100ms..5min, got PT0.005S");
    assertThatThrownBy(() -> InfluxSink.builder().flushInterval(Duration.ofMillis(1)))
        .hasMessage("influx.flush-interval must be within 10ms..1min, got PT0.001S");
    assertThatThrownBy(() -> InfluxSink.<String>builder().settings(SETTINGS).build())
        .hasMessage("InfluxSink needs a converter");
    assertThatThrownBy(
            () -> InfluxSink.<String>builder().converter(s -> Point.measurement(s)).build())
        .hasMessageStartingWith("InfluxSink needs settings");
  }

  @Test
  void theTokenNeverAppearsInText() {
    assertThat(new InfluxSettings("http://x", "o", "b", "s3cret-token").toString())
        .doesNotContain("s3cret-token");
  }

  @Test
  void aRefusedTokenNamesTheSettingButNeverTheToken() {
    String message = InfluxWrites.refusal(401, "unauthorized access", BATCH, SETTINGS);
    assertThat(message)
        .isEqualTo(
            "the store at http://127.0.0.1:8086 refused the credentials (HTTP 401): check "
                + "influx.token (and that it may write to influx.org=city, influx.bucket=ops)");
    assertThat(InfluxWrites.refusal(403, TOKEN, BATCH, SETTINGS)).doesNotContain(TOKEN);
  }

  @Test
  void aMissingBucketNamesTheSettings() {
    assertThat(InfluxWrites.refusal(404, "bucket not found", BATCH, SETTINGS))
        .isEqualTo(
            "the store at http://127.0.0.1:8086 has no bucket 'ops' in org 'city' or no v2 write API (HTTP 404): "
                + "check influx.bucket, influx.org and influx.url");
    assertThat(InfluxWrites.refusal(413, "too large", BATCH, SETTINGS))
        .isEqualTo(
            "the store at http://127.0.0.1:8086 refused a batch of 2 points as too large (HTTP 413): lower influx.batch-size");
  }

  @Test
  void aBadLineIsQuotedFromTheServersLineNumber() {
    String message =
        InfluxWrites.refusal(
            400,
            "partial write: field type conflict: input field \"mean_speed_kmh\" on line 2 is type string",
            BATCH,
            SETTINGS);
    assertThat(message).endsWith("; offending line: " + BATCH.get(1));
    assertThat(InfluxWrites.refusal(400, "cast error", BATCH, SETTINGS))
        .endsWith("; offending line: " + BATCH.get(0));
  }

  @Test
  void ioErrorsTooManyRequestsAndServerErrorsAreRetriedOtherClientErrorsAreNot() {
    assertThat(IntStream.of(0, 429, 500, 502, 503, 504)).allMatch(InfluxWrites::isRetryable);
    assertThat(IntStream.of(400, 401, 403, 404, 413, 422)).noneMatch(InfluxWrites::isRetryable);
  }

  @Test
  void backoffGrowsToItsCapWithAtMostHalfOfItJitter() {
    assertThat(InfluxWrites.backoffMillis(0, bound -> 0)).isEqualTo(100);
    assertThat(InfluxWrites.backoffMillis(0, bound -> bound - 1)).isEqualTo(200);
    assertThat(InfluxWrites.backoffMillis(3, bound -> 0)).isEqualTo(800);
    assertThat(InfluxWrites.backoffMillis(30, bound -> 0)).isEqualTo(5_000);
    assertThat(InfluxWrites.backoffMillis(30, bound -> bound - 1)).isEqualTo(10_000);
  }

  @Test
  void pointsMustBeReplayableToBeWritten() {
    Point good =
        Point.measurement("traffic_district")
            .addTag("district", "330106")
            .addField("mean_speed_kmh", 31.5)
            .addField("samples", 4L)
            .time(WINDOW_END, WritePrecision.MS);
    assertThat(InfluxWrites.lineOf(good)).isEqualTo(BATCH.get(0));
    assertThatThrownBy(() -> InfluxWrites.lineOf(Point.measurement("m").addField("f", 1L)))
        .hasMessageStartingWith(
            "a point without a timestamp cannot be overwritten on replay: m f=1i");
    assertThatThrownBy(
            () ->
                InfluxWrites.lineOf(
                    Point.measurement("m").addField("f", 1L).time(WINDOW_END, WritePrecision.S)))
        .hasMessage("points must have millisecond precision, got s: m f=1i 1764000000000");
    assertThatThrownBy(
            () ->
                InfluxWrites.lineOf(
                    Point.measurement("m").addTag("t", "x").time(WINDOW_END, WritePrecision.MS)))
        .hasMessageStartingWith("a point without fields cannot be written");
  }
}
