package io.citybrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store started with credentials (as the local city starts it, issue 23): what a web page in
 * the operator's browser can send it ({@code <img src=".../exec?query=drop table ...">}, a
 * line-protocol POST) is refused, and the table is still there; citybrain's own parts, holding the
 * password, read and write.
 */
class EmbeddedQuestDbAuthITCase {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final char[] PASSWORD = MqttUsers.randomPassword();

  @TempDir static Path dir;

  private static EmbeddedQuestDb store;

  @BeforeAll
  static void start() {
    store = EmbeddedQuestDb.start(dir, 0, "citybrain", PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
  }

  private static HttpResponse<String> exec(String sql, String authorization) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(
                URI.create(
                    store.url() + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
            .GET();
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> write(String path, String stage, String authorization)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(store.url() + path))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "pipeline,stage="
                        + stage
                        + " events_in=5i,events_out=5i,deadletter=0i,lag_ms=1.0 1767600000000\n"));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long rows(String stage) {
    return ((Number)
            store
                .query("SELECT count() n FROM pipeline WHERE stage = '" + stage + "'")
                .get(0)
                .get("n"))
        .longValue();
  }

  @Test
  void ddlWithoutCredentialsIsRefusedAndTheTableStays() throws Exception {
    String wrong = EmbeddedQuestDb.basic("citybrain", "not-the-password".toCharArray());
    for (String authorization :
        new String[] {
          null,
          wrong,
          EmbeddedQuestDb.basic("admin", "quest".toCharArray()),
          "Token " + new String(PASSWORD)
        }) {
      HttpResponse<String> drop = exec("DROP TABLE traffic_district", authorization);
      assertThat(drop.statusCode()).as("DROP with " + authorization).isEqualTo(401);
      assertThat(exec("SELECT count() FROM traffic_district", authorization).statusCode())
          .isEqualTo(401);
    }
    assertThatThrownBy(() -> EmbeddedQuestDb.query(store.url(), "SELECT 1 x"))
        .hasMessageContaining("it requires credentials (HTTP 401)");

    assertThat(store.query("SELECT table_name FROM tables() WHERE table_name = 'traffic_district'"))
        .hasSize(1);
    HttpResponse<String> own =
        exec("SELECT count() n FROM traffic_district", store.authorization());
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(EmbeddedQuestDb.query(store.url(), store.authorization(), "SELECT 1 x"))
        .isEqualTo(List.of(java.util.Map.of("x", 1)));
  }

  @Test
  void lineProtocolWritesWithoutCredentialsAreRefused() throws Exception {
    for (String path : List.of("/api/v2/write?precision=ms", "/write?precision=ms")) {
      assertThat(write(path, "auth-it-refused", null).statusCode()).as(path).isEqualTo(401);
      assertThat(
              write(
                      path,
                      "auth-it-refused",
                      EmbeddedQuestDb.basic("citybrain", "guess".toCharArray()))
                  .statusCode())
          .as(path)
          .isEqualTo(401);
    }
    assertThat(write("/api/v2/write?precision=ms", "auth-it", store.authorization()).statusCode())
        .isEqualTo(204);
    // The table applies writes in order: once the accepted row is visible, a refused one taken
    // before it would be too.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (rows("auth-it") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(rows("auth-it")).isEqualTo(1);
    assertThat(rows("auth-it-refused")).isZero();
  }

  @Test
  void anOpenStoreStaysOpenAndHalfACredentialIsRefused(@TempDir Path other) {
    assertThatThrownBy(() -> EmbeddedQuestDb.start(other, 0, "citybrain", null))
        .hasMessage("the store's user and password go together: give both or neither");
    assertThat(store.user()).isEqualTo("citybrain");
    assertThat(store.authorization()).startsWith("Basic ").doesNotContain(new String(PASSWORD));
  }
}
