package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.contract.Alert;
import io.citybrain.contract.Evidence;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.geo.CityModel;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's HTTP API on the real parts it reads and writes: Kafka {@code city.alerts},
 * QuestDB's {@code /exec}, and the MQTT broker that carries acknowledgements. No Flink: rows and
 * alerts are put where the jobs would put them.
 */
class ConsoleServerITCase {

  private static final long T0 = 1_767_600_000_000L; // 2026-01-05T08:00:00Z
  private static final CityModel CITY = CityModel.generate(42);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final char[] STORE_PASSWORD = io.citybrain.embedded.MqttUsers.randomPassword();

  @TempDir static Path dir;

  private static EmbeddedMqttBroker broker;
  private static EmbeddedKafka kafka;
  private static EmbeddedQuestDb store;
  private static ConsoleServer console;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), 0);
    kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
    // Guarded as the local city's store is: the console reads with the store's credentials.
    store = EmbeddedQuestDb.start(dir.resolve("questdb"), 0, "citybrain", STORE_PASSWORD);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(Topics.ALERTS, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    console =
        ConsoleServer.start(
            ConsoleSettings.local(0, store.url(), kafka.bootstrapServers(), broker.url())
                .withStoreCredentials("citybrain", STORE_PASSWORD),
            CITY);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {console, store, kafka, broker}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(console.url().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A POST as the console's page makes it: same origin, with the token. */
  private static HttpResponse<String> post(String path, String contentType, String body)
      throws Exception {
    return post(
        path,
        contentType,
        body,
        "Origin",
        "http://127.0.0.1:" + console.url().getPort(),
        "X-Citybrain-Token",
        console.token());
  }

  private static HttpResponse<String> post(
      String path, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(console.url().resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A request over a plain socket: the JDK's client will not send a {@code Host} header of the
   * caller's choice, which is exactly what a DNS-rebinding page does. Returns the status line and
   * the body.
   */
  private static String[] raw(String method, String path, String host, String... headers)
      throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", console.url().getPort())) {
      socket.setSoTimeout(30_000);
      StringBuilder request =
          new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      for (int i = 0; i < headers.length; i += 2) {
        request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {
        answer.substring(0, answer.indexOf('\r')), answer.substring(answer.indexOf("\r\n\r\n") + 4)
      };
    }
  }

  /**
   * A page's live stream: its answer (headers as they came) and its events as they arrive, {event,
   * data}.
   */
  record Stream(
      HttpResponse<java.util.stream.Stream<String>> response, BlockingQueue<String[]> events)
      implements AutoCloseable {
    /**
     * The next event named {@code name} whose data satisfies {@code test}, within 60 s; events
     * before it are dropped.
     */
    JsonNode next(String name, java.util.function.Predicate<JsonNode> test) throws Exception {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < until) {
        String[] e = events.poll(1, TimeUnit.SECONDS);
        if (e != null && e[0].equals(name) && test.test(JSON.readTree(e[1]))) {
          return JSON.readTree(e[1]);
        }
      }
      throw new AssertionError("no " + name + " event as wanted within 60 s");
    }

    @Override
    public void close() {
      response.body().close();
    }
  }

  /**
   * Opens {@code /api/live/stream} as a browser's EventSource does, with {@code cookie} when not
   * null.
   */
  static Stream stream(java.net.URI console, String cookie) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(console.resolve("/api/live/stream"))
            .header("Accept", "text/event-stream")
            .GET();
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    HttpResponse<java.util.stream.Stream<String>> response =
        HTTP.send(r.build(), HttpResponse.BodyHandlers.ofLines());
    BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              String[] event = {"message", null};
              try {
                response
                    .body()
                    .forEach(
                        line -> {
                          if (line.startsWith("event:")) {
                            event[0] = line.substring(6).strip();
                          } else if (line.startsWith("data:")) {
                            event[1] =
                                event[1] == null
                                    ? line.substring(5).strip()
                                    : event[1] + "\n" + line.substring(5).strip();
                          } else if (line.isEmpty() && event[1] != null) {
                            events.add(event.clone());
                            event[0] = "message";
                            event[1] = null;
                          }
                        });
              } catch (RuntimeException closed) {
                // the test closed the stream
              }
            },
            "it-live-stream");
    reader.setDaemon(true);
    reader.start();
    return new Stream(response, events);
  }

  private static Alert alert(String id, String state, long ts) {
    return new Alert(
        id,
        "sos",
        "critical",
        state,
        "330106",
        "c-it",
        30.26,
        120.12,
        ts,
        "SOS 紧急求助 / SOS pressed",
        new Evidence[0],
        "community",
        null);
  }

  private static void produce(Alert a) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName()))) {
      p.send(new ProducerRecord<>(Topics.ALERTS, a.community(), a.toJson()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static String stateOf(JsonNode live, String alertId) {
    for (JsonNode a : live.path("alerts")) {
      if (a.path("alertId").asText().equals(alertId)) {
        return a.path("state").asText();
      }
    }
    return null;
  }

  private static JsonNode live() throws Exception {
    HttpResponse<byte[]> r = get("/api/live");
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void everyAnswerCarriesAStrictContentSecurityPolicy() throws Exception {
    for (String path :
        List.of(
            "/",
            "/static/console.js",
            "/api/live",
            "/api/city/districts.geojson",
            "/no-such-page")) {
      HttpResponse<byte[]> r = get(path);
      assertThat(r.headers().firstValue("Content-Security-Policy"))
          .as(path)
          .hasValue(
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
    }
    // The policy allows no inline script, so the page must have none.
    String page = new String(get("/").body(), StandardCharsets.UTF_8);
    assertThat(page)
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
        .doesNotContainPattern("\\son[a-z]+\\s*=")
        .doesNotContain("style=");
  }

  @Test
  void aRequestNamingAnotherHostIsRefused() throws Exception {
    int port = console.url().getPort();
    String[] rebound = raw("GET", "/api/live", "attacker.example:" + port);
    assertThat(rebound[0]).startsWith("HTTP/1.1 421");
    assertThat(rebound[1]).contains("does not answer to Host 'attacker.example:" + port + "'");
    assertThat(raw("GET", "/", "127.0.0.1:" + (port == 65535 ? 1 : port + 1))[0]).contains(" 421 ");
    assertThat(raw("GET", "/", "")[0]).contains(" 421 ");
    // A foreign Host with the right token and Origin is still refused: nothing acts through a
    // rebound name.
    assertThat(
            raw(
                "POST",
                "/api/alerts/sos-it-host/ack",
                "attacker.example:" + port,
                "Origin",
                "http://attacker.example:" + port,
                "X-Citybrain-Token",
                console.token(),
                "Content-Type",
                "application/json")[0])
        .contains(" 421 ");
    // The console's own names answer.
    for (String host :
        List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port)) {
      assertThat(raw("GET", "/api/live", host)[0]).as(host).isEqualTo("HTTP/1.1 200 OK");
    }
  }

  @Test
  void aStateChangeNeedsTheConsolesOriginAndItsToken() throws Exception {
    produce(alert("sos-it-door", "raised", T0 + 2));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> live().path("alerts").findValuesAsText("alertId").contains("sos-it-door"));
    String own = "http://127.0.0.1:" + console.url().getPort();
    String path = "/api/alerts/sos-it-door/ack";
    String body = "{\"by\":\"x\"}";

    HttpResponse<String> crossSite =
        post(
            path,
            "application/json",
            body,
            "Origin",
            "https://attacker.example",
            "X-Citybrain-Token",
            console.token());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("origin 'https://attacker.example' is refused");
    assertThat(
            post(
                    path,
                    "application/json",
                    body,
                    "Origin",
                    "null",
                    "X-Citybrain-Token",
                    console.token())
                .statusCode())
        .isEqualTo(403);
    assertThat(
            post(
                    path,
                    "application/json",
                    body,
                    "Referer",
                    "https://attacker.example/page",
                    "X-Citybrain-Token",
                    console.token())
                .statusCode())
        .isEqualTo(403);

    HttpResponse<String> noToken = post(path, "application/json", body, "Origin", own);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body())
        .contains("needs the console's token in the X-Citybrain-Token header");
    HttpResponse<String> wrongToken =
        post(
            path,
            "application/json",
            body,
            "Origin",
            own,
            "X-Citybrain-Token",
            console.token().substring(1) + "x");
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    assertThat(wrongToken.body()).contains("wrong console token");
    assertThat(post(path, "application/json", body, "X-Citybrain-Token", "").statusCode())
        .isEqualTo(403);

    assertThat(
            post(
                    path,
                    "application/json",
                    body,
                    "Origin",
                    own,
                    "X-Citybrain-Token",
                    console.token())
                .statusCode())
        .isEqualTo(202);
    assertThat(
            post(
                    path,
                    "application/json",
                    body,
                    "Referer",
                    own + "/",
                    "X-Citybrain-Token",
                    console.token())
                .statusCode())
        .isEqualTo(202);
    // A client that is no browser sends neither header: the token alone lets it act.
    assertThat(
            post(path, "application/json", body, "X-Citybrain-Token", console.token()).statusCode())
        .isEqualTo(202);
    assertThat(console.openUrl().toString()).isEqualTo(console.url() + "?token=" + console.token());
    assertThat(console.token()).matches("[A-Za-z0-9_-]{32}");
  }

  @Test
  void servesThePageLeafletFromTheJarAndTheCityModel() throws Exception {
    HttpResponse<byte[]> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    HttpResponse<byte[]> head =
        HTTP.send(
            HttpRequest.newBuilder(console.url())
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.headers().firstValue("Content-Type").map(t -> t.replace(" ", "")))
        .hasValue("text/html;charset=utf-8");
    assertThat(head.body()).isEmpty();
    assertThat(new String(page.body(), StandardCharsets.UTF_8))
        .contains("/static/vendor/leaflet/leaflet.js", "/static/console.js");
    HttpResponse<byte[]> leaflet = get("/static/vendor/leaflet/leaflet.js");
    assertThat(leaflet.statusCode()).isEqualTo(200);
    assertThat(new String(leaflet.body(), StandardCharsets.UTF_8)).contains("Leaflet 1.9.4");
    assertThat(leaflet.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");

    HttpResponse<byte[]> districts = get("/api/city/districts.geojson");
    assertThat(districts.headers().firstValue("Content-Encoding")).hasValue("gzip");
    JsonNode fc = JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(districts.body())));
    assertThat(fc.path("features")).hasSize(CITY.districts().size());
    JsonNode roads =
        JSON.readTree(
            new GZIPInputStream(new ByteArrayInputStream(get("/api/city/roads.geojson").body())));
    assertThat(roads.path("features")).hasSize(CITY.roads().size());

    // Jetty refuses a path that climbs out of the root (400) before any route or file sees it.
    HttpResponse<byte[]> climb = get("/static/../../pom.xml");
    assertThat(climb.statusCode()).isIn(400, 404);
    assertThat(new String(climb.body(), StandardCharsets.UTF_8)).doesNotContain("<project");
    assertThat(get("/static/%2e%2e/%2e%2e/pom.xml").statusCode()).isIn(400, 404);
    assertThat(get("/api/city/buildings.geojson").statusCode()).isEqualTo(404);
  }

  @Test
  void theLiveSnapshotReadsTheStoreAndEveryAlertsLatestState() throws Exception {
    store.query(
        "INSERT INTO traffic_district VALUES ('330106', 2.25, 3, 22.5, 1.5, 7, '2026-01-05T08:01:00.000000Z')");
    store.query(
        "INSERT INTO traffic_segment VALUES ('r-000001', '330106', 'arterial', 30.0, 600.0, 0.2, 2.0, 4, "
            + "'2026-01-05T08:01:00.000000Z')");
    store.query(
        "INSERT INTO pipeline VALUES ('bridge', 1000, 998, 2, 15.0, '2026-01-05T08:01:00.000000Z')");
    produce(alert("sos-it-live", "raised", T0));
    produce(alert("sos-it-live", "escalated", T0));

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              JsonNode l = live();
              return l.path("districts").size() == 1
                  && l.path("segments").size() == 1
                  && l.path("pipeline").size() == 1
                  && "escalated".equals(stateOf(l, "sos-it-live"));
            });
    JsonNode l = live();
    assertThat(l.path("problems")).isEmpty();
    JsonNode d = l.path("districts").get(0);
    assertThat(d.path("district").asText()).isEqualTo("330106");
    assertThat(d.path("level").asInt()).isEqualTo(3);
    assertThat(d.path("mean_speed_kmh").asDouble()).isEqualTo(22.5);
    assertThat(l.path("segments").path("r-000001").asDouble()).isEqualTo(2.0);
    JsonNode f = l.path("figures");
    assertThat(f.path("meanTti").asDouble()).isEqualTo(2.25);
    assertThat(f.path("congestedDistricts").asInt()).isEqualTo(1);
    assertThat(f.path("lastWindow").asText()).isEqualTo("2026-01-05T08:01:00.000000Z");
    assertThat(f.path("eventsIn").asLong()).isEqualTo(1000);
    assertThat(f.path("deadletter").asLong()).isEqualTo(2);
    assertThat(l.path("alerts").findValuesAsText("alertId")).containsOnlyOnce("sos-it-live");
  }

  /**
   * The page's live updates are pushed: an alert that arrives after the page opened its stream
   * comes to it unasked.
   */
  @Test
  void theLiveStreamPushesANewAlertToAnOpenPage() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    console.bindMetrics(meters);
    try (Stream page = stream(console.url(), null)) {
      assertThat(page.response().statusCode()).isEqualTo(200);
      assertThat(page.response().headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
      assertThat(page.response().headers().firstValue("Content-Security-Policy")).isPresent();
      JsonNode first = page.next("snapshot", l -> true);
      assertThat(first.path("alerts").findValuesAsText("alertId")).doesNotContain("sos-it-stream");
      assertThat(meters.get("citybrain.console.live.streams").gauge().value()).isEqualTo(1.0);
      produce(alert("sos-it-stream", "raised", T0 + 3));
      JsonNode pushed =
          page.next(
              "snapshot",
              l -> l.path("alerts").findValuesAsText("alertId").contains("sos-it-stream"));
      assertThat(stateOf(pushed, "sos-it-stream")).isEqualTo("raised");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> meters.get("citybrain.console.live.streams").gauge().value() == 0.0);
  }

  @Test
  void anAcknowledgementIsPublishedOnItsMqttTopicAndBadOnesAreRefused() throws Exception {
    produce(alert("sos-it-ack", "raised", T0 + 1));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> live().path("alerts").findValuesAsText("alertId").contains("sos-it-ack"));

    BlockingQueue<String[]> acks = new LinkedBlockingQueue<>();
    MqttClient manager = new MqttClient(broker.url(), "it-ack-listener", new MemoryPersistence());
    manager.connect(new MqttConnectOptions());
    try {
      manager.subscribe(
          "city/ack/#",
          1,
          (t, m) -> acks.add(new String[] {t, new String(m.getPayload(), StandardCharsets.UTF_8)}));

      HttpResponse<String> ok =
          post("/api/alerts/sos-it-ack/ack", "application/json", "{\"by\":\"officer-li\"}");
      assertThat(ok.statusCode()).isEqualTo(202);
      assertThat(JSON.readTree(ok.body()).path("topic").asText()).isEqualTo("city/ack/sos-it-ack");
      String[] received = acks.poll(30, TimeUnit.SECONDS);
      assertThat(received).as("the acknowledgement on MQTT").isNotNull();
      assertThat(received[0]).isEqualTo("city/ack/sos-it-ack");
      JsonNode payload = JSON.readTree(received[1]);
      assertThat(payload.path("by").asText()).isEqualTo("officer-li");
      assertThat(payload.path("ts").asLong()).isPositive();

      assertThat(
              post("/api/alerts/sos-unknown/ack", "application/json", "{\"by\":\"x\"}")
                  .statusCode())
          .isEqualTo(404);
      assertThat(post("/api/alerts/sos-it-ack/ack", "text/plain", "{\"by\":\"x\"}").statusCode())
          .isEqualTo(415);
      assertThat(post("/api/alerts/sos-it-ack/ack", "application/json", "{}").statusCode())
          .isEqualTo(400);
      assertThat(
              post(
                      "/api/alerts/sos-it-ack/ack",
                      "application/json",
                      "{\"by\":\"" + "x".repeat(65) + "\"}")
                  .statusCode())
          .isEqualTo(400);
      assertThat(post("/api/alerts/sos-it-ack/ack", "application/json", "not json").statusCode())
          .isEqualTo(400);
      assertThat(post("/api/alerts/a+b/ack", "application/json", "{\"by\":\"x\"}").statusCode())
          .isEqualTo(400);
      assertThat(get("/api/alerts/sos-it-ack/ack").statusCode()).isEqualTo(405);
      assertThat(acks.poll(1, TimeUnit.SECONDS))
          .as("refused acknowledgements publish nothing")
          .isNull();
    } finally {
      manager.disconnect();
      manager.close();
    }
  }

  /**
   * Issue 20: with a users file people sign in; a community manager sees and acknowledges only
   * their community's alerts, in their own name (the topic names them, whatever the body claims),
   * with a note; an operator sees every alert; the history of one alert is there for who may see
   * it.
   */
  @Test
  void peopleSignInAndSeeAndActOnlyWithinTheirScope() throws Exception {
    String hash = io.citybrain.users.UsersFile.hash("pw-1".toCharArray(), 1000);
    Path users =
        java.nio.file.Files.writeString(
            dir.resolve("users.csv"),
            String.join(
                "\n",
                "mgr-a,manager,c-mine," + hash,
                "ops,operator,," + hash,
                "loop-7,device,," + hash,
                ""));
    try (ConsoleServer people =
        ConsoleServer.start(
            ConsoleSettings.local(0, store.url(), kafka.bootstrapServers(), broker.url())
                .withStoreCredentials("citybrain", STORE_PASSWORD)
                .withUsers(users),
            CITY)) {
      String origin = "http://127.0.0.1:" + people.url().getPort();
      java.util.function.BiFunction<String, String, HttpResponse<String>> as =
          (cookie, path) -> {
            try {
              HttpRequest.Builder r = HttpRequest.newBuilder(people.url().resolve(path)).GET();
              if (cookie != null) {
                r.header("Cookie", cookie);
              }
              return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
      io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      people.bindMetrics(meters);
      assertThat(people.token()).as("no token: people sign in").isNull();
      assertThat(as.apply(null, "/api/live").statusCode()).isEqualTo(401);
      assertThat(as.apply(null, "/api/me").statusCode()).isEqualTo(401);
      HttpResponse<String> wrong =
          HTTP.send(
              HttpRequest.newBuilder(people.url().resolve("/api/login"))
                  .header("Content-Type", "application/json")
                  .header("Origin", origin)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"username\":\"mgr-a\",\"password\":\"pw-2\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
      assertThat(login(people, origin, "loop-7").statusCode())
          .as("a device does not sign in")
          .isEqualTo(401);
      HttpResponse<String> in = login(people, origin, "mgr-a");
      assertThat(in.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(in.body()).path("role").asText()).isEqualTo("manager");
      String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(setCookie).contains("HttpOnly", "SameSite=Strict", "Path=/");
      String manager = setCookie.substring(0, setCookie.indexOf(';'));
      String operator =
          login(people, origin, "ops")
              .headers()
              .firstValue("Set-Cookie")
              .orElseThrow()
              .split(";")[0];
      // For operators: sign-ins by outcome (a rise of refused ones is someone guessing).
      assertThat(
              meters
                  .get("citybrain.console.sign.ins")
                  .tag("outcome", "in")
                  .functionCounter()
                  .count())
          .isEqualTo(2);
      assertThat(
              meters
                  .get("citybrain.console.sign.ins")
                  .tag("outcome", "refused")
                  .functionCounter()
                  .count())
          .isEqualTo(2);

      Alert mine =
          new Alert(
              "sos-it-mine",
              "sos",
              "critical",
              "raised",
              "330106",
              "c-mine",
              30.26,
              120.12,
              T0 + 5,
              "SOS",
              new Evidence[0],
              "community",
              null);
      Alert theirs =
          new Alert(
              "sos-it-theirs",
              "sos",
              "critical",
              "raised",
              "330106",
              "c-theirs",
              30.26,
              120.12,
              T0 + 6,
              "SOS",
              new Evidence[0],
              "community",
              null);
      produce(mine);
      produce(theirs);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  JSON.readTree(as.apply(operator, "/api/live").body())
                      .path("alerts")
                      .findValuesAsText("alertId")
                      .containsAll(List.of("sos-it-mine", "sos-it-theirs")));
      JsonNode managerView = JSON.readTree(as.apply(manager, "/api/live").body());
      assertThat(managerView.path("alerts").findValuesAsText("alertId"))
          .containsExactly("sos-it-mine");
      // The live stream is theirs too: nobody's without a session, the manager's scope with one.
      try (Stream nobody = stream(people.url(), null)) {
        assertThat(nobody.response().statusCode()).isEqualTo(401);
      }
      try (Stream managers = stream(people.url(), manager)) {
        assertThat(managers.next("snapshot", l -> true).path("alerts").findValuesAsText("alertId"))
            .containsExactly("sos-it-mine");
      }
      assertThat(managerView.path("figures").path("openAlerts").asInt()).isEqualTo(1);
      assertThat(
              JSON.readTree(as.apply(manager, "/api/alerts?open=true").body())
                  .findValuesAsText("alertId"))
          .containsExactly("sos-it-mine");
      // Filters, for an operator who sees both: each one given must match; an unknown one is
      // refused.
      assertThat(
              JSON.readTree(
                      as.apply(
                              operator,
                              "/api/alerts?kind=sos&community=c-theirs&severity=critical&state=raised")
                          .body())
                  .findValuesAsText("alertId"))
          .containsExactly("sos-it-theirs");
      assertThat(
              JSON.readTree(as.apply(operator, "/api/alerts?district=330106&kind=fire").body())
                  .size())
          .isZero();
      assertThat(as.apply(operator, "/api/alerts?colour=red").statusCode()).isEqualTo(400);
      assertThat(as.apply(manager, "/api/alerts/sos-it-theirs").statusCode())
          .as("not theirs to learn of")
          .isEqualTo(404);
      // A forged session: another user's name under the manager's signature.
      assertThat(as.apply(manager.replace("mgr-a.", "ops."), "/api/live").statusCode())
          .isEqualTo(401);

      BlockingQueue<String[]> acks = new LinkedBlockingQueue<>();
      MqttClient listener =
          new MqttClient(broker.url(), "it-people-listener", new MemoryPersistence());
      listener.connect(new MqttConnectOptions());
      try {
        listener.subscribe(
            "city/ack/#",
            1,
            (t, m) ->
                acks.add(new String[] {t, new String(m.getPayload(), StandardCharsets.UTF_8)}));
        java.util.function.BiFunction<String, String, HttpResponse<String>> ack =
            (cookie, id) -> {
              try {
                return HTTP.send(
                    HttpRequest.newBuilder(people.url().resolve("/api/alerts/" + id + "/ack"))
                        .header("Content-Type", "application/json")
                        .header("Origin", origin)
                        .header("Cookie", cookie)
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"by\":\"ops\",\"note\":\"马上到 on my way\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            };
        assertThat(ack.apply(manager, "sos-it-theirs").statusCode()).isEqualTo(403);
        HttpResponse<String> ok = ack.apply(manager, "sos-it-mine");
        assertThat(ok.statusCode()).isEqualTo(202);
        String[] received = acks.poll(30, TimeUnit.SECONDS);
        assertThat(received).isNotNull();
        assertThat(received[0]).isEqualTo("city/ack/sos-it-mine/mgr-a");
        assertThat(JSON.readTree(received[1]).path("note").asText()).isEqualTo("马上到 on my way");
        assertThat(JSON.readTree(received[1]).has("by"))
            .as("the topic names who; no claim in the body")
            .isFalse();
        assertThat(acks.poll(1, TimeUnit.SECONDS)).as("the refused one published nothing").isNull();

        // Item 4: resolve with a reason, assign, comment; each the person's, each within their
        // scope.
        java.util.function.BiFunction<String, String[], HttpResponse<String>> action =
            (cookie, verbIdBody) -> {
              try {
                return HTTP.send(
                    HttpRequest.newBuilder(
                            people
                                .url()
                                .resolve("/api/alerts/" + verbIdBody[1] + "/" + verbIdBody[0]))
                        .header("Content-Type", "application/json")
                        .header("Origin", origin)
                        .header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString(verbIdBody[2]))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            };
        assertThat(
                action
                    .apply(operator, new String[] {"resolve", "sos-it-theirs", "{}"})
                    .statusCode())
            .as("no reason")
            .isEqualTo(400);
        assertThat(
                action
                    .apply(manager, new String[] {"resolve", "sos-it-theirs", "{\"note\":\"x\"}"})
                    .statusCode())
            .isEqualTo(403);
        assertThat(
                action
                    .apply(
                        operator,
                        new String[] {"assign", "sos-it-theirs", "{\"assignee\":\"a b\"}"})
                    .statusCode())
            .isEqualTo(400);
        assertThat(
                action
                    .apply(
                        operator,
                        new String[] {"assign", "sos-it-theirs", "{\"assignee\":\"mgr-b\"}"})
                    .statusCode())
            .isEqualTo(202);
        assertThat(
                action
                    .apply(
                        manager,
                        new String[] {"comment", "sos-it-mine", "{\"note\":\"at the door\"}"})
                    .statusCode())
            .isEqualTo(202);
        assertThat(
                action
                    .apply(
                        operator,
                        new String[] {"resolve", "sos-it-theirs", "{\"note\":\"false alarm\"}"})
                    .statusCode())
            .isEqualTo(202);
        List<String[]> published = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
          published.add(acks.poll(30, TimeUnit.SECONDS));
        }
        assertThat(published)
            .extracting(m -> m[0])
            .containsExactly(
                "city/ack/sos-it-theirs/ops",
                "city/ack/sos-it-mine/mgr-a",
                "city/ack/sos-it-theirs/ops");
        assertThat(published)
            .extracting(
                m ->
                    JSON.readTree(m[1]).path("action").asText()
                        + ":"
                        + JSON.readTree(m[1])
                            .path("assignee")
                            .asText(JSON.readTree(m[1]).path("note").asText()))
            .containsExactly("assign:mgr-b", "comment:at the door", "resolve:false alarm");
      } finally {
        listener.disconnect();
        listener.close();
      }

      produce(
          new Alert(
              "sos-it-mine",
              "sos",
              "critical",
              "acknowledged",
              "330106",
              "c-mine",
              30.26,
              120.12,
              T0 + 60_000,
              "SOS",
              new Evidence[0],
              "community",
              "mgr-a"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  JSON.readTree(as.apply(manager, "/api/alerts/sos-it-mine").body())
                          .path("history")
                          .size()
                      == 2);
      JsonNode history = JSON.readTree(as.apply(manager, "/api/alerts/sos-it-mine").body());
      assertThat(history.path("history").findValuesAsText("state"))
          .containsExactly("raised", "acknowledged");
      assertThat(history.path("alert").path("acknowledgedBy").asText()).isEqualTo("mgr-a");
      assertThat(as.apply(operator, "/api/alerts/sos-it-theirs").statusCode()).isEqualTo(200);
    }
  }

  private static HttpResponse<String> login(ConsoleServer people, String origin, String user)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(people.url().resolve("/api/login"))
            .header("Content-Type", "application/json")
            .header("Origin", origin)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"username\":\"" + user + "\",\"password\":\"pw-1\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
