package io.citybrain.connectors.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.embedded.MqttUsers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * influxdb-client-java against a store that requires HTTP basic authentication, as the local city's
 * does (issue 23): with the store's {@code Basic ...} header as {@code influx.token} the points are
 * written; with other credentials, or an InfluxDB token, the write fails at once naming the setting
 * and without printing what was sent.
 */
class InfluxWritesAuthITCase {

  private static final char[] PASSWORD = MqttUsers.randomPassword();

  private static long rows(EmbeddedQuestDb store, String stage) {
    return ((Number)
            store
                .query("SELECT count() n FROM pipeline WHERE stage = '" + stage + "'")
                .get(0)
                .get("n"))
        .longValue();
  }

  private static String line(String stage) {
    return "pipeline,stage="
        + stage
        + " events_in=1i,events_out=1i,deadletter=0i,lag_ms=2.0 1767600000000";
  }

  @Test
  void onlyTheStoresOwnCredentialsWrite(@TempDir Path dir) throws Exception {
    try (EmbeddedQuestDb store = EmbeddedQuestDb.start(dir, 0, "citybrain", PASSWORD)) {
      String wrong = EmbeddedQuestDb.basic("citybrain", "n0t-the-password".toCharArray());
      for (String token : List.of(wrong, "local", new String(PASSWORD))) {
        try (InfluxWrites writes =
            new InfluxWrites(
                new InfluxSettings(store.url(), "citybrain", "citybrain", token),
                2,
                Duration.ofSeconds(10))) {
          assertThatThrownBy(() -> writes.write(List.of(line("auth-refused"))))
              .isInstanceOf(IOException.class)
              .hasMessageContaining("refused the credentials (HTTP 401): check influx.token")
              .satisfies(
                  e ->
                      assertThat(e.getMessage())
                          .doesNotContain(token)
                          .doesNotContain(new String(PASSWORD)));
        }
      }
      try (InfluxWrites writes =
          new InfluxWrites(
              new InfluxSettings(store.url(), "citybrain", "citybrain", store.authorization()),
              2,
              Duration.ofSeconds(10))) {
        writes.write(List.of(line("auth-ok")));
      }
      // The store applies writes in order: once the accepted row shows, a refused one taken before
      // would too.
      await().atMost(Duration.ofSeconds(30)).until(() -> rows(store, "auth-ok") == 1);
      assertThat(rows(store, "auth-refused")).isZero();
    }
  }
}
