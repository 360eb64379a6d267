package io.citybrain.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.citybrain.connectors.alert.Alert;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import io.citybrain.connectors.mqtt.ConfirmedPublisher;
import io.citybrain.users.Account;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console on one port: the JDK's HTTP server, on the loopback interface in the local city and on
 * {@code console.http.host} as a service ({@link ConsoleMain}), over TLS when it has a key store.
 * Sign-in and the small REST API (issue 20) are a signed cookie and a handful of routes, which the
 * JDK's server carries without a web framework's dependencies (Jetty, Kotlin's standard library).
 * Javalin (STACK.md) is the step when live updates come (server-sent events instead of polling):
 * that is where a framework earns its weight.
 *
 * <ul>
 *   <li>{@code GET /} the page, {@code /static/...} its script, style and Leaflet, all from the jar;
 *   <li>{@code GET /api/city/districts.geojson}, {@code communities.geojson}, {@code roads.geojson}
 *       the city model the jobs run on;
 *   <li>{@code GET /api/live} a {@link LiveSnapshot}, which the page polls;
 *   <li>{@code GET /api/trend?district=<code>} the district's {@code traffic_district} rows of the
 *       last hour, for its trend chart (only a district code of the city is taken);
 *   <li>{@code POST /api/alerts/<alertId>/ack|resolve|assign|comment} publishes the person's action
 *       on MQTT and answers 202; the new state arrives later through the snapshot;
 *   <li>{@code GET /api/alerts[?open=true&kind=...]} (filtered by kind, district, community, state, severity, assignee) and {@code GET /api/alerts/<alertId>} (its history);
 *   <li>{@code POST /api/login}, {@code GET /api/me}, {@code POST /api/logout} with a users file
 *       ({@link ConsoleLogins}): then every alert route answers the signed-in person's scope only.
 * </ul>
 *
 * <p>Every request must name the console in its {@code Host} header (421 otherwise), and every state
 * change must come from the console's own origin with the token of {@link #openUrl()} (403
 * otherwise): see {@link ConsoleDoor}. Every answer carries a strict Content-Security-Policy.
 *
 * Thread-safe; requests are served by a small pool.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
  /** The city files the map needs, of those {@link CityGeoJson} writes. */
  static final List<String> CITY_FILES = List.of("districts.geojson", "communities.geojson", "roads.geojson");
  /** A topic level of contract v1's ids: no MQTT wildcards or separators can be smuggled into city/ack/. */
  static final Pattern ALERT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
  static final int MAX_BY_LENGTH = 64;
  /** {@code /api/alerts/<alertId>/<verb>}: what a person does to an alert. */
  private static final Pattern ACTION_PATH = Pattern.compile("/api/alerts/([^/]+)/(ack|resolve|assign|comment)");
  /** The verb of the path, as the acknowledgement's {@code action} (null: an acknowledgement, contract v1). */
  private static final Map<String, String> ACTIONS = new java.util.HashMap<>(Map.of(
      "resolve", io.citybrain.connectors.envelope.Ack.RESOLVE, "assign", io.citybrain.connectors.envelope.Ack.ASSIGN,
      "comment", io.citybrain.connectors.envelope.Ack.COMMENT));
  /** The contract's longest note of an acknowledgement, in code points. */
  static final int MAX_NOTE_LENGTH = 256;
  private static final int MAX_BODY = 4096;
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "png", "image/png", "svg", "image/svg+xml", "json", "application/json", "geojson", "application/geo+json");

  private final ConsoleSettings settings;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, byte[]> cityGzip = new LinkedHashMap<>();
  private final HttpServer http;
  private final ExecutorService pool;
  private final String token;
  private final String scheme;
  private final ConsoleDoor door;
  /** People's sign-in, with a users file; null when the token is the key. */
  private final ConsoleLogins logins;
  private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong> acknowledgements =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong storeFailures = new java.util.concurrent.atomic.AtomicLong();
  /** Sign-ins by outcome: in, refused (unknown user or wrong password), throttled (locked or busy). */
  private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicLong> signIns =
      new java.util.concurrent.ConcurrentHashMap<>();
  private AlertBoard board;
  private AckPublisher acks;
  private LiveReader reader;
  private IndicatorReader indicators;
  /** The city's district codes: the only values {@code /api/trend} takes (nothing else reaches a query). */
  private final java.util.Set<String> districtCodes;
  /** How far back a district's trend chart goes. */
  static final java.time.Duration TREND_SPAN = java.time.Duration.ofHours(1);
  private LiveSnapshot cached;
  private long cachedAt;

  private ConsoleServer(ConsoleSettings settings, CityModel city, byte[] manifest) throws IOException {
    this.settings = settings;
    districtCodes = city.districts().stream().map(io.citybrain.geo.District::code)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    Map<String, byte[]> files = CityGeoJson.export(city);
    for (String f : CITY_FILES) {
      cityGzip.put(f, gzip(files.get(f)));
    }
    if (manifest != null) {
      // The city's names and map view (city.json of its package): the page shows whose city it is.
      cityGzip.put(io.citybrain.geo.CityManifest.FILE, gzip(manifest));
    }
    token = settings.token() == null ? null : new String(settings.token());
    InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("console.http.host " + settings.host() + " does not resolve");
    }
    if (settings.tls() == null) {
      http = HttpServer.create(address, 32);
      scheme = "http";
    } else {
      com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 32);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ConsoleTls.context(settings.tls())));
      http = https;
      scheme = "https";
    }
    pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "console-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(pool);
    http.createContext("/", this::handle);
    logins = settings.usersFile() == null ? null : new ConsoleLogins(settings.usersFile(), settings.sessionKey());
    door = new ConsoleDoor(scheme, http.getAddress().getPort(), settings.hosts(), settings.publicUrls(), token, logins != null);
  }

  /**
   * Starts following alerts, connects to the broker and opens the port.
   *
   * @param city the city model the jobs run on (same seed), drawn on the map
   */
  public static ConsoleServer start(ConsoleSettings settings, CityModel city) {
    return start(settings, city, null);
  }

  /** As {@link #start(ConsoleSettings, CityModel)}, for a city package: its manifest is served too ({@code /api/city/city.json}). */
  public static ConsoleServer start(ConsoleSettings settings, io.citybrain.geo.CityPackage city) {
    return start(settings, city.city(), city.manifest().toJson());
  }

  private static ConsoleServer start(ConsoleSettings settings, CityModel city, byte[] manifest) {
    ConsoleServer server = null;
    try {
      server = new ConsoleServer(settings, city, manifest);
      server.board = AlertBoard.start(settings.kafkaBootstrap(), settings.kafkaSecurity());
      server.acks = AckPublisher.connect(settings, server.json);
      server.indicators = IndicatorReader.of(settings.store(), server.json);
      server.reader = new LiveReader(server.indicators, server.board);
      server.http.start();
      return server;
    } catch (IOException e) {
      closeQuietly(server);
      throw new IllegalArgumentException("console.http.port " + settings.host() + ":" + settings.port() + " cannot be opened: "
          + e.getMessage(), e);
    } catch (IllegalStateException e) {
      closeQuietly(server);
      throw new IllegalStateException("the console, to publish acknowledgements, " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(ConsoleServer server) {
    if (server != null) {
      server.close();
    }
  }

  /** The console's base URL, without its token: reads ({@code GET /api/...}) need no token. */
  public URI url() {
    InetAddress bound = http.getAddress().getAddress();
    String host = bound.isAnyLocalAddress() ? "127.0.0.1"
        : bound instanceof java.net.Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
    return URI.create(scheme + "://" + host + ":" + http.getAddress().getPort() + "/");
  }

  /**
   * Where a browser opens the console: {@link #url()} with the token the page needs for
   * acknowledgements ({@code ?token=...}; the page keeps it for the tab and takes it out of the
   * address bar). Whoever has this URL can act in the console: print it only to its operator.
   */
  public URI openUrl() {
    return token == null ? url() : URI.create(url() + "?token=" + token);
  }

  /** The token state changes need in the {@value ConsoleDoor#HEADER} header; null for a read-only console. */
  public String token() {
    return token;
  }

  /**
   * The console's meters, in the process's registry ({@code /metrics}):
   * {@code citybrain_console_sign_ins_total{outcome}} ({@code in}, {@code refused}, {@code throttled}),
   * {@code citybrain_console_acknowledgements_total{outcome}} ({@code published}: the broker took it;
   * {@code refused}: a bad request or an unknown alert; {@code failed}: the broker did not take it),
   * {@code citybrain_console_alerts} (alerts on the board), {@code citybrain_console_alerts_open},
   * {@code citybrain_console_alert_records_unreadable_total} and
   * {@code citybrain_console_store_reads_failed_total}.
   */
  public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
    for (String outcome : List.of("published", "refused", "failed")) {
      io.micrometer.core.instrument.FunctionCounter.builder("citybrain.console.acknowledgements", acknowledgements
          .computeIfAbsent(outcome, o -> new java.util.concurrent.atomic.AtomicLong()), java.util.concurrent.atomic.AtomicLong::get)
          .tag("outcome", outcome).description("acknowledgements asked of the console, by outcome").register(registry);
    }
    for (String outcome : List.of("in", "refused", "throttled")) {
      io.micrometer.core.instrument.FunctionCounter.builder("citybrain.console.sign.ins", signIns
          .computeIfAbsent(outcome, o -> new java.util.concurrent.atomic.AtomicLong()), java.util.concurrent.atomic.AtomicLong::get)
          .tag("outcome", outcome).description("sign-ins by outcome: a rise of refused ones is someone guessing").register(registry);
    }
    io.micrometer.core.instrument.Gauge.builder("citybrain.console.alerts", this, s -> s.board.alerts().size())
        .description("alerts on the console's board (latest state of each)").register(registry);
    io.micrometer.core.instrument.Gauge.builder("citybrain.console.alerts.open", this,
        s -> s.board.alerts().stream().filter(LiveReader::isOpen).count())
        .description("alerts raised or escalated and not yet acknowledged or resolved").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("citybrain.console.alert.records.unreadable", this,
        s -> s.board.unreadable()).description("records on city.alerts the console could not read").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("citybrain.console.store.reads.failed", storeFailures,
        java.util.concurrent.atomic.AtomicLong::get).description("snapshots with a part the store did not answer")
        .register(registry);
  }

  /**
   * What keeps the console from its work, by check; empty when it follows {@code city.alerts} and
   * its MQTT connection stands. The store is reported but does not make the console unready: the
   * map and the alerts still serve, and the page says what it could not read.
   */
  public Map<String, String> problems() {
    Map<String, String> problems = new LinkedHashMap<>();
    board.problem().ifPresent(p -> problems.put("alerts", p));
    if (!acks.connected()) {
      problems.put("mqtt", "not connected to " + settings.mqttUrl());
    }
    return problems;
  }

  /** The problems of the last snapshot read from the store (none before the first). */
  public List<String> storeProblems() {
    LiveSnapshot last;
    synchronized (this) {
      last = cached;
    }
    return last == null ? List.of() : last.problems();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      var headers = ex.getRequestHeaders();
      String refused = door.refuseHost(headers.getFirst("Host"));
      if (refused != null) {
        // 421 Misdirected Request: the request names a server this is not (DNS rebinding).
        send(ex, 421, "text/plain; charset=utf-8", refused.getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        refused = door.refuseChange(headers.getFirst("Origin"), headers.getFirst("Referer"),
            headers.getFirst(ConsoleDoor.HEADER));
        if (refused != null) {
          send(ex, 403, "text/plain; charset=utf-8", refused.getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
      if (path.equals("/api/login")) {
        requireMethod(ex, "POST");
        login(ex);
        return;
      }
      if (path.equals("/api/logout")) {
        requireMethod(ex, "POST");
        ex.getResponseHeaders().add("Set-Cookie", ConsoleLogins.setCookie("", scheme.equals("https"), java.time.Duration.ZERO));
        send(ex, 204, "text/plain; charset=utf-8", new byte[0]);
        return;
      }
      if (path.equals("/api/me")) {
        me(ex);
        return;
      }
      // With logins, the alerts and the figures are for people signed in, each seeing their own scope.
      Account who = null;
      if (logins != null && (path.equals("/api/live") || path.equals("/api/trend") || path.startsWith("/api/alerts"))) {
        who = logins.account(headers.getFirst("Cookie"), System.currentTimeMillis()).orElse(null);
        if (who == null) {
          sendError(ex, 401, "sign in first: POST /api/login");
          return;
        }
      }
      java.util.regex.Matcher act = ACTION_PATH.matcher(path);
      if (act.matches()) {
        requireMethod(ex, "POST");
        acknowledge(ex, act.group(1), who, ACTIONS.get(act.group(2)));
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        send(ex, 405, "text/plain; charset=utf-8", "use GET".getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/api/live")) {
        sendJson(ex, 200, who == null ? snapshot() : LiveReader.scoped(snapshot(), who));
      } else if (path.equals("/api/trend")) {
        trend(ex);
      } else if (path.equals("/api/alerts")) {
        alertList(ex, who);
      } else if (path.startsWith("/api/alerts/")) {
        alertHistory(ex, path.substring("/api/alerts/".length()), who);
      } else if (path.startsWith("/api/city/")) {
        byte[] body = cityGzip.get(path.substring("/api/city/".length()));
        if (body == null) {
          notFound(ex);
        } else {
          ex.getResponseHeaders().set("Content-Encoding", "gzip");
          ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
          send(ex, 200, TYPES.get(path.endsWith(".geojson") ? "geojson" : "json"), body);
        }
      } else if (path.equals("/") || path.equals("/index.html")) {
        staticFile(ex, "index.html");
      } else if (path.startsWith("/static/")) {
        staticFile(ex, path.substring("/static/".length()));
      } else {
        notFound(ex);
      }
    } catch (MethodNotAllowed e) {
      // answered already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("console request {} failed", ex.getRequestURI(), e);
      try {
        send(ex, 500, "text/plain; charset=utf-8", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException ignored) {
        // the response had started; the client sees a broken one
      }
    }
  }

  private synchronized LiveSnapshot snapshot() throws InterruptedException {
    long now = System.currentTimeMillis();
    if (cached == null || now - cachedAt >= settings.refresh().toMillis()) {
      cached = reader.read(now);
      cachedAt = now;
      if (!cached.problems().isEmpty()) {
        storeFailures.incrementAndGet();
      }
    }
    return cached;
  }

  /** {@code POST /api/login} with {@code {"username": ..., "password": ...}}: a session cookie, or 401. */
  private void login(HttpExchange ex) throws IOException, InterruptedException {
    if (logins == null) {
      sendError(ex, 404, "this console has no users file (console.users.file): nobody signs in");
      return;
    }
    JsonNode body = jsonBody(ex, "the sign-in");
    if (body == null) {
      return;
    }
    char[] password = body.path("password").asText("").toCharArray();
    ConsoleLogins.Outcome outcome = logins.login(body.path("username").asText(null), password, System.currentTimeMillis());
    signIns.computeIfAbsent(outcome instanceof ConsoleLogins.Outcome.In ? "in" : outcome instanceof ConsoleLogins.Outcome.Throttled
        ? "throttled" : "refused", o -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    if (outcome instanceof ConsoleLogins.Outcome.In in) {
      ex.getResponseHeaders().add("Set-Cookie", ConsoleLogins.setCookie(in.cookie(), scheme.equals("https"), ConsoleLogins.SESSION));
      LOG.info("console: {} ({}) signed in", in.account().username(), in.account().role().id());
      sendJson(ex, 200, person(in.account()));
    } else if (outcome instanceof ConsoleLogins.Outcome.Throttled t) {
      ex.getResponseHeaders().set("Retry-After", String.valueOf(t.retryAfterSeconds()));
      sendError(ex, 429, "too many wrong passwords for this account: try again in " + t.retryAfterSeconds() + " s");
    } else {
      sendError(ex, 401, "unknown user or wrong password");
    }
  }

  /** {@code GET /api/me}: who is signed in (401 when nobody), or how this console is used without logins. */
  private void me(HttpExchange ex) throws IOException {
    if (logins == null) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("mode", "token");
      answer.put("canAcknowledge", token != null);
      sendJson(ex, 200, answer);
      return;
    }
    Account who = logins.account(ex.getRequestHeaders().getFirst("Cookie"), System.currentTimeMillis()).orElse(null);
    if (who == null) {
      sendError(ex, 401, "nobody is signed in");
    } else {
      sendJson(ex, 200, person(who));
    }
  }

  private static Map<String, Object> person(Account a) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("mode", "login");
    p.put("username", a.username());
    p.put("role", a.role().id());
    p.put("scope", a.scope().isEmpty() ? null : a.scope());
    return p;
  }

  /** What {@code GET /api/alerts} filters by: each parameter, the alert's value it must equal. */
  private static final Map<String, java.util.function.Function<Alert, String>> ALERT_FILTERS = Map.of(
      "kind", Alert::kind, "district", Alert::district, "community", Alert::community, "state", Alert::state,
      "severity", Alert::severity, "assignee", Alert::assignee,
      "open", a -> String.valueOf(LiveReader.isOpen(a)));

  /**
   * {@code GET /api/alerts[?open=true&kind=&district=&community=&state=&severity=&assignee=]}: the
   * latest state of every alert the caller may see, newest first; each parameter given must match
   * (exactly; {@code open} is {@code true} or {@code false}). An unknown parameter is a 400 naming
   * it, not a filter silently ignored.
   */
  private void alertList(HttpExchange ex, Account who) throws IOException {
    Map<String, String> wanted = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    for (String pair : raw == null || raw.isEmpty() ? new String[0] : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        sendError(ex, 400, "malformed query: " + malformed.getMessage());
        return;
      }
      if (!ALERT_FILTERS.containsKey(key)) {
        sendError(ex, 400, "unknown filter '" + key + "': use " + new java.util.TreeSet<>(ALERT_FILTERS.keySet()));
        return;
      }
      wanted.put(key, value);
    }
    sendJson(ex, 200, board.alerts().stream().filter(a -> who == null || who.covers(a.district(), a.community()))
        .filter(a -> wanted.entrySet().stream().allMatch(w -> w.getValue().equals(ALERT_FILTERS.get(w.getKey()).apply(a))))
        .toList());
  }

  /**
   * {@code GET /api/alerts/<alertId>}: the alert's latest state and every state it went through, as
   * city.alerts carried them. An alert outside the caller's scope is 404, as an unknown one: its
   * existence is not theirs to learn either.
   */
  private void alertHistory(HttpExchange ex, String alertId, Account who) throws IOException {
    List<Alert> states = ALERT_ID.matcher(alertId).matches() ? board.history(alertId) : List.of();
    Alert last = states.isEmpty() ? null : states.get(states.size() - 1);
    if (last == null || who != null && !who.covers(last.district(), last.community())) {
      sendError(ex, 404, "no alert " + alertId + " of yours on city.alerts");
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("alert", last);
    answer.put("history", states);
    sendJson(ex, 200, answer);
  }

  /** The request's JSON body (application/json, at most {@link #MAX_BODY} bytes), or null once an error was sent. */
  private JsonNode jsonBody(HttpExchange ex, String what) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never
    // grants: another web page cannot act through an operator's browser.
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      sendError(ex, 415, "send " + what + " as application/json");
      return null;
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        sendError(ex, 413, what + " is larger than " + MAX_BODY + " bytes");
        return null;
      }
      JsonNode body = json.readTree(bytes);
      if (body == null || !body.isObject()) {
        sendError(ex, 400, what + " is not a JSON object");
        return null;
      }
      return body;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      sendError(ex, 400, what + " is not JSON");
      return null;
    }
  }

  private void acknowledge(HttpExchange ex, String alertId, Account who, String action) throws IOException {
    String outcome = "refused";
    try {
      outcome = publishAcknowledgement(ex, alertId, who, action);
    } finally {
      acknowledgements.computeIfAbsent(outcome, o -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    }
  }

  /**
   * Answers the request; returns the outcome for the meters. Signed in, the acknowledgement is the
   * person's, on {@code city/ack/<alertId>/<username>}, and only for an alert their scope covers
   * (403 otherwise); with the token, it is whoever {@code by} names, on contract v1's topic.
   */
  private String publishAcknowledgement(HttpExchange ex, String alertId, Account who, String action) throws IOException {
    if (!ALERT_ID.matcher(alertId).matches()) {
      sendError(ex, 400, "not an alert id: " + alertId);
      return "refused";
    }
    JsonNode body = jsonBody(ex, "the acknowledgement");
    if (body == null) {
      return "refused";
    }
    String by = who != null ? who.username() : body.path("by").asText("").strip();
    if (by.isEmpty() || by.length() > MAX_BY_LENGTH || by.chars().anyMatch(Character::isISOControl)) {
      sendError(ex, 400, "'by' must name who acknowledges, 1.." + MAX_BY_LENGTH + " characters");
      return "refused";
    }
    String note = body.path("note").asText("").strip();
    if (note.codePointCount(0, note.length()) > MAX_NOTE_LENGTH || note.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
      sendError(ex, 400, "'note' must be at most " + MAX_NOTE_LENGTH + " characters of text");
      return "refused";
    }
    if (note.isEmpty() && (io.citybrain.connectors.envelope.Ack.RESOLVE.equals(action)
        || io.citybrain.connectors.envelope.Ack.COMMENT.equals(action))) {
      sendError(ex, 400, "a " + action + " needs its text in 'note' (the reason, the comment)");
      return "refused";
    }
    String assignee = null;
    if (io.citybrain.connectors.envelope.Ack.ASSIGN.equals(action)) {
      assignee = body.path("assignee").asText("");
      if (!io.citybrain.connectors.envelope.IngestValidator.DEVICE_ID.matcher(assignee).matches()) {
        sendError(ex, 400, "'assignee' must be a user name");
        return "refused";
      }
    }
    Alert known = board.alerts().stream().filter(a -> a.alertId().equals(alertId)).findFirst().orElse(null);
    if (known == null) {
      sendError(ex, 404, "no alert " + alertId + " on city.alerts");
      return "refused";
    }
    if (who != null && !who.covers(known.district(), known.community())) {
      LOG.warn("console: {} ({} of {}) may not acknowledge {} (district {}, community {})", who.username(), who.role().id(),
          who.scope(), alertId, known.district(), known.community());
      sendError(ex, 403, "this alert is not in your " + (who.role() == io.citybrain.users.Role.MANAGER ? "community" : "district"));
      return "refused";
    }
    long now = System.currentTimeMillis();
    try {
      acks.publish(alertId, by, who != null, action, note.isEmpty() ? null : note, assignee, now);
    } catch (ConfirmedPublisher.Unacknowledged e) {
      sendError(ex, 503, "the MQTT broker did not take the acknowledgement: " + e.getMessage());
      return "failed";
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("alertId", alertId);
    answer.put("topic", AckPublisher.topic(alertId) + (who != null ? "/" + by : ""));
    answer.put("by", by);
    if (action != null) {
      answer.put("action", action);
    }
    if (!note.isEmpty()) {
      answer.put("note", note);
    }
    if (assignee != null) {
      answer.put("assignee", assignee);
    }
    sendJson(ex, 202, answer);
    return "published";
  }

  /** {@code GET /api/trend?district=<code>}: the district's traffic_district rows of the last hour, oldest first. */
  private void trend(HttpExchange ex) throws IOException, InterruptedException {
    String district = null;
    String query = ex.getRequestURI().getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("district=")) {
        district = java.net.URLDecoder.decode(pair.substring("district=".length()), StandardCharsets.UTF_8);
      }
    }
    if (district == null || !districtCodes.contains(district)) {
      sendError(ex, 400, "name a district of the city: /api/trend?district=<code>");
      return;
    }
    List<Map<String, Object>> points;
    try {
      points = indicators.history(IndicatorReader.TREND, district, TREND_SPAN);
    } catch (IOException e) {
      sendError(ex, 503, e.getMessage());
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("district", district);
    answer.put("span", TREND_SPAN.toString());
    answer.put("points", points.stream().map(p -> {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("timestamp", p.get("timestamp"));
      point.put("tti", p.get("tti"));
      point.put("mean_speed_kmh", p.get("mean_speed_kmh"));
      return point;
    }).toList());
    sendJson(ex, 200, answer);
  }

  private void staticFile(HttpExchange ex, String name) throws IOException {
    if (name.isEmpty() || name.contains("..") || name.startsWith("/") || name.contains("\\")) {
      notFound(ex);
      return;
    }
    try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        notFound(ex);
        return;
      }
      String ext = name.substring(name.lastIndexOf('.') + 1);
      send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
    }
  }

  private void requireMethod(HttpExchange ex, String method) throws IOException {
    if (!ex.getRequestMethod().equals(method)) {
      ex.getResponseHeaders().set("Allow", method);
      send(ex, 405, "text/plain; charset=utf-8", ("use " + method).getBytes(StandardCharsets.UTF_8));
      throw new MethodNotAllowed();
    }
  }

  private void sendError(HttpExchange ex, int status, String message) throws IOException {
    sendJson(ex, status, Map.of("error", message));
  }

  private void sendJson(HttpExchange ex, int status, Object value) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    send(ex, status, TYPES.get("json"), json.writeValueAsBytes(value));
  }

  private static void notFound(HttpExchange ex) throws IOException {
    send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    var headers = ex.getResponseHeaders();
    headers.set("Content-Type", type);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Content-Security-Policy", ConsoleDoor.CONTENT_SECURITY_POLICY);
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Cross-Origin-Resource-Policy", "same-origin");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    if (pool != null) {
      pool.shutdownNow();
      try {
        pool.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (acks != null) {
      acks.close();
    }
    try {
      if (board != null) {
        board.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class MethodNotAllowed extends RuntimeException {
    MethodNotAllowed() {
      super(null, null, false, false);
    }
  }
}
