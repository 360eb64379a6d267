package io.citybrain.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.mqtt.ConfirmedPublisher;
import io.citybrain.contract.Ack;
import io.citybrain.contract.Alert;
import io.citybrain.geo.CityGeoJson;
import io.citybrain.geo.CityManifest;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.geo.District;
import io.citybrain.users.Account;
import io.citybrain.users.Role;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console on one port, served by Javalin (STACK.md) on Jetty: on the loopback interface in the
 * local city and on {@code console.http.host} as a service ({@link ConsoleMain}), over TLS when it
 * has a key store. Javalin carries the routing, path parameters, static files, JSON, request size
 * limits and 404/405/413 answers; what is the console's own is who may ask what ({@link
 * ConsoleDoor}, {@link ConsoleLogins}) and what an answer says.
 *
 * <ul>
 *   <li>{@code GET /} the page, {@code /static/...} its script, style and Leaflet, all from the
 *       jar;
 *   <li>{@code GET /api/city/districts.geojson}, {@code communities.geojson}, {@code roads.geojson}
 *       the city model the jobs run on;
 *   <li>{@code GET /api/live} a {@link LiveSnapshot}; {@code GET /api/live/stream} the same as
 *       server-sent events, pushed every {@code console.refresh}, which the page follows;
 *   <li>{@code GET /api/trend?district=<code>} the district's {@code traffic_district} rows of the
 *       last hour, for its trend chart (only a district code of the city is taken);
 *   <li>{@code POST /api/alerts/<alertId>/ack|resolve|assign|comment} publishes the person's action
 *       on MQTT and answers 202; the new state arrives later through the snapshot;
 *   <li>{@code GET /api/alerts[?open=true&kind=...]} (filtered by kind, district, community, state,
 *       severity, assignee) and {@code GET /api/alerts/<alertId>} (its history);
 *   <li>{@code POST /api/login}, {@code GET /api/me}, {@code POST /api/logout} with a users file
 *       ({@link ConsoleLogins}): then every alert route answers the signed-in person's scope only.
 * </ul>
 *
 * <p>Every request must name the console in its {@code Host} header (421 otherwise), and every
 * state change must come from the console's own origin with the token of {@link #openUrl()} (403
 * otherwise): see {@link ConsoleDoor}. Every answer carries a strict Content-Security-Policy.
 *
 * <p>Thread-safe; requests are served by a small pool.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

  /** The city files the map needs, of those {@link CityGeoJson} writes. */
  static final List<String> CITY_FILES =
      List.of("districts.geojson", "communities.geojson", "roads.geojson");

  /**
   * A topic level of contract v1's ids: no MQTT wildcards or separators can be smuggled into
   * city/ack/.
   */
  static final Pattern ALERT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

  static final int MAX_BY_LENGTH = 64;

  /**
   * The verb of {@code /api/alerts/<alertId>/<verb>}, as the acknowledgement's {@code action}
   * (null: an acknowledgement, contract v1).
   */
  private static final Map<String, String> ACTIONS =
      new HashMap<>(Map.of("resolve", Ack.RESOLVE, "assign", Ack.ASSIGN, "comment", Ack.COMMENT));

  static {
    ACTIONS.put("ack", null);
  }

  /** The contract's longest note of an acknowledgement, in code points. */
  static final int MAX_NOTE_LENGTH = 256;

  private static final int MAX_BODY = 4096;
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  /** The request attribute holding the signed-in person ({@link Account}), with a users file. */
  private static final String WHO = "citybrain.who";

  private final ConsoleSettings settings;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, byte[]> cityGzip = new LinkedHashMap<>();
  private final byte[] page;
  private final Javalin http;
  private final String token;
  private final String scheme;

  /** Known once the port is bound; until then every request is 503. */
  private volatile ConsoleDoor door;

  /** People's sign-in, with a users file; null when the token is the key. */
  private final ConsoleLogins logins;

  private final ConcurrentMap<String, AtomicLong> acknowledgements = new ConcurrentHashMap<>();
  private final AtomicLong storeFailures = new AtomicLong();

  /**
   * Sign-ins by outcome: in, refused (unknown user or wrong password), throttled (locked or busy).
   */
  private final ConcurrentMap<String, AtomicLong> signIns = new ConcurrentHashMap<>();

  private AlertBoard board;
  private AckPublisher acks;
  private LiveReader reader;
  private IndicatorReader indicators;

  /**
   * The city's district codes: the only values {@code /api/trend} takes (nothing else reaches a
   * query).
   */
  private final Set<String> districtCodes;

  /** How far back a district's trend chart goes. */
  static final Duration TREND_SPAN = Duration.ofHours(1);

  private LiveSnapshot cached;
  private long cachedAt;

  /** The pages following {@code /api/live/stream}. */
  private final java.util.Map<SseClient, Follower> streams = new ConcurrentHashMap<>();

  /**
   * At most this many streams at once: each holds a connection, and a page that leaks them should
   * not exhaust the port.
   */
  static final int MAX_STREAMS = 256;

  private final ScheduledExecutorService pusher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "console-live-push");
            t.setDaemon(true);
            return t;
          });

  private ConsoleServer(ConsoleSettings settings, CityModel city, byte[] manifest) {
    this.settings = settings;
    districtCodes =
        city.districts().stream().map(District::code).collect(Collectors.toUnmodifiableSet());
    Map<String, byte[]> files = CityGeoJson.export(city);
    for (String f : CITY_FILES) {
      cityGzip.put(f, gzip(files.get(f)));
    }
    if (manifest != null) {
      // The city's names and map view (city.json of its package): the page shows whose city it is.
      cityGzip.put(CityManifest.FILE, gzip(manifest));
    }
    page = resource("index.html");
    token = settings.token() == null ? null : new String(settings.token());
    if (new InetSocketAddress(settings.host(), settings.port()).isUnresolved()) {
      throw new IllegalArgumentException(
          "console.http.host " + settings.host() + " does not resolve");
    }
    scheme = settings.tls() == null ? "http" : "https";
    logins =
        settings.usersFile() == null
            ? null
            : new ConsoleLogins(settings.usersFile(), settings.sessionKey());
    http =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.startupWatcherEnabled = false;
              config.http.maxRequestSize = MAX_BODY;
              config.http.prefer405over404 = true;
              // The city's layers are compressed once, here; the other answers are small.
              config.http.disableCompression();
              config.jsonMapper(new JavalinJackson(json, false));
              QueuedThreadPool threads = new QueuedThreadPool(16, 2);
              threads.setName("console-http");
              threads.setDaemon(true);
              config.jetty.threadPool = threads;
              config.jetty.addConnector(this::connector);
              config.staticFiles.add(
                  statics -> {
                    statics.hostedPath = "/static";
                    statics.directory = "/console";
                    statics.location = Location.CLASSPATH;
                    statics.headers = Map.of("Cache-Control", "no-cache");
                    statics.mimeTypes.add("text/javascript; charset=utf-8", "js");
                    statics.mimeTypes.add("text/css; charset=utf-8", "css");
                  });
            });
    routes();
  }

  /**
   * The one connector: {@code console.http.host}:{@code console.http.port}, with TLS when there is
   * a key store.
   */
  private ServerConnector connector(Server server, HttpConfiguration config) {
    ServerConnector connector;
    if (settings.tls() == null) {
      connector = new ServerConnector(server, new HttpConnectionFactory(config));
    } else {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setSslContext(ConsoleTls.context(settings.tls()));
      connector = new ServerConnector(server, tls, new HttpConnectionFactory(config));
    }
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    return connector;
  }

  private void routes() {
    http.before(this::admit);
    http.post("/api/login", this::login);
    http.post(
        "/api/logout",
        ctx -> {
          ctx.header(
              "Set-Cookie", ConsoleLogins.setCookie("", scheme.equals("https"), Duration.ZERO));
          ctx.status(204);
        });
    http.get("/api/me", this::me);
    http.get(
        "/api/live",
        ctx -> {
          Account who = ctx.attribute(WHO);
          sendJson(ctx, 200, who == null ? snapshot() : LiveReader.scoped(snapshot(), who));
        });
    http.sse("/api/live/stream", this::follow);
    http.get("/api/trend", this::trend);
    http.get("/api/alerts", this::alertList);
    http.get("/api/alerts/{alertId}", this::alertHistory);
    http.post("/api/alerts/{alertId}/{verb}", this::acknowledge);
    http.get(
        "/api/city/{file}",
        ctx -> {
          byte[] body = cityGzip.get(ctx.pathParam("file"));
          if (body == null) {
            send(ctx, 404, TEXT, "not found".getBytes(StandardCharsets.UTF_8));
            return;
          }
          ctx.header("Content-Encoding", "gzip").header("Cache-Control", "max-age=3600");
          send(
              ctx,
              200,
              ctx.pathParam("file").endsWith(".geojson") ? "application/geo+json" : JSON,
              body);
        });
    for (String index : List.of("/", "/index.html")) {
      http.get(index, ctx -> send(ctx, 200, "text/html; charset=utf-8", page));
      // Javalin would answer HEAD without the headers a GET has; Jetty drops the body of a HEAD.
      http.head(index, ctx -> send(ctx, 200, "text/html; charset=utf-8", page));
    }
    http.exception(
        Refused.class,
        (e, ctx) -> {
          if (e.json) {
            sendError(ctx, e.status, e.getMessage());
          } else {
            send(ctx, e.status, TEXT, e.getMessage().getBytes(StandardCharsets.UTF_8));
          }
        });
    http.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.warn("console request {} {} failed", ctx.method(), ctx.path(), e);
          send(ctx, 500, TEXT, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        });
  }

  /**
   * Before every route and file: the headers every answer carries, the {@code Host} check, the
   * origin and token of a state change, and, with logins, the signed-in person of the routes that
   * show or change alerts (their scope decides the rest).
   */
  private void admit(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Content-Security-Policy", ConsoleDoor.CONTENT_SECURITY_POLICY);
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    ConsoleDoor door = this.door;
    if (door == null) {
      throw new Refused(503, false, "the console is starting");
    }
    String refused = door.refuseHost(ctx.header("Host"));
    if (refused != null) {
      // 421 Misdirected Request: the request names a server this is not (DNS rebinding).
      throw new Refused(421, false, refused);
    }
    if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD) {
      refused =
          door.refuseChange(
              ctx.header("Origin"), ctx.header("Referer"), ctx.header(ConsoleDoor.HEADER));
      if (refused != null) {
        throw new Refused(403, false, refused);
      }
    }
    String path = ctx.path();
    // With logins, the alerts and the figures are for people signed in, each seeing their own
    // scope.
    if (logins != null
        && (path.startsWith("/api/live")
            || path.equals("/api/trend")
            || path.startsWith("/api/alerts"))) {
      Account who = logins.account(ctx.header("Cookie"), System.currentTimeMillis()).orElse(null);
      if (who == null) {
        throw new Refused(401, true, "sign in first: POST /api/login");
      }
      ctx.attribute(WHO, who);
    }
  }

  /**
   * Starts following alerts, connects to the broker and opens the port.
   *
   * @param city the city model the jobs run on (same seed), drawn on the map
   */
  public static ConsoleServer start(ConsoleSettings settings, CityModel city) {
    return start(settings, city, null);
  }

  /**
   * As {@link #start(ConsoleSettings, CityModel)}, for a city package: its manifest is served too
   * ({@code /api/city/city.json}).
   */
  public static ConsoleServer start(ConsoleSettings settings, CityPackage city) {
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
      long every = Math.max(200, settings.refresh().toMillis());
      server.pusher.scheduleWithFixedDelay(server::push, every, every, TimeUnit.MILLISECONDS);
      server.door =
          new ConsoleDoor(
              server.scheme,
              server.http.port(),
              settings.hosts(),
              settings.publicUrls(),
              server.token,
              server.logins != null);
      return server;
    } catch (io.javalin.util.JavalinException e) {
      closeQuietly(server);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalArgumentException(
          "console.http.port "
              + settings.host()
              + ":"
              + settings.port()
              + " cannot be opened: "
              + cause.getMessage(),
          e);
    } catch (IllegalStateException e) {
      closeQuietly(server);
      throw new IllegalStateException(
          "the console, to publish acknowledgements, " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(ConsoleServer server) {
    if (server != null) {
      server.close();
    }
  }

  /** The console's base URL, without its token: reads ({@code GET /api/...}) need no token. */
  public URI url() {
    InetAddress bound = new InetSocketAddress(settings.host(), 0).getAddress();
    String host =
        bound.isAnyLocalAddress()
            ? "127.0.0.1"
            : bound instanceof java.net.Inet6Address
                ? "[" + bound.getHostAddress() + "]"
                : bound.getHostAddress();
    return URI.create(scheme + "://" + host + ":" + http.port() + "/");
  }

  /**
   * Where a browser opens the console: {@link #url()} with the token the page needs for
   * acknowledgements ({@code ?token=...}; the page keeps it for the tab and takes it out of the
   * address bar). Whoever has this URL can act in the console: print it only to its operator.
   */
  public URI openUrl() {
    return token == null ? url() : URI.create(url() + "?token=" + token);
  }

  /**
   * The token state changes need in the {@value ConsoleDoor#HEADER} header; null for a read-only
   * console.
   */
  public String token() {
    return token;
  }

  /**
   * The console's meters, in the process's registry ({@code /metrics}): {@code
   * citybrain_console_sign_ins_total{outcome}} ({@code in}, {@code refused}, {@code throttled}),
   * {@code citybrain_console_acknowledgements_total{outcome}} ({@code published}: the broker took
   * it; {@code refused}: a bad request or an unknown alert; {@code failed}: the broker did not take
   * it), {@code citybrain_console_alerts} (alerts on the board), {@code
   * citybrain_console_alerts_open}, {@code citybrain_console_live_streams} (pages following the
   * live updates), {@code citybrain_console_alert_records_unreadable_total} and {@code
   * citybrain_console_store_reads_failed_total}.
   */
  public void bindMetrics(MeterRegistry registry) {
    for (String outcome : List.of("published", "refused", "failed")) {
      FunctionCounter.builder(
              "citybrain.console.acknowledgements",
              acknowledgements.computeIfAbsent(outcome, o -> new AtomicLong()),
              AtomicLong::get)
          .tag("outcome", outcome)
          .description("acknowledgements asked of the console, by outcome")
          .register(registry);
    }
    for (String outcome : List.of("in", "refused", "throttled")) {
      FunctionCounter.builder(
              "citybrain.console.sign.ins",
              signIns.computeIfAbsent(outcome, o -> new AtomicLong()),
              AtomicLong::get)
          .tag("outcome", outcome)
          .description("sign-ins by outcome: a rise of refused ones is someone guessing")
          .register(registry);
    }
    Gauge.builder("citybrain.console.alerts", this, s -> s.board.alerts().size())
        .description("alerts on the console's board (latest state of each)")
        .register(registry);
    Gauge.builder(
            "citybrain.console.alerts.open",
            this,
            s -> s.board.alerts().stream().filter(LiveReader::isOpen).count())
        .description("alerts raised or escalated and not yet acknowledged or resolved")
        .register(registry);
    Gauge.builder("citybrain.console.live.streams", streams, Map::size)
        .description("pages following the live updates (server-sent events)")
        .register(registry);
    FunctionCounter.builder(
            "citybrain.console.alert.records.unreadable", this, s -> s.board.unreadable())
        .description("records on city.alerts the console could not read")
        .register(registry);
    FunctionCounter.builder("citybrain.console.store.reads.failed", storeFailures, AtomicLong::get)
        .description("snapshots with a part the store did not answer")
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

  /**
   * {@code GET /api/live/stream}: the page's live updates, as server-sent events. A {@code
   * snapshot} event with the {@link LiveSnapshot} (the signed-in person's scope of it) at once and
   * then every {@code console.refresh}; {@code signed-out} once the session the stream was opened
   * with has ended, and the stream closes. {@code GET /api/live} stays for clients that ask once.
   */
  private void follow(SseClient client) {
    if (streams.size() >= MAX_STREAMS) {
      client.sendEvent(
          "busy",
          Map.of(
              "error", "the console has " + MAX_STREAMS + " live streams open: try again later"));
      client.close();
      return;
    }
    client.keepAlive();
    String cookie = client.ctx().header("Cookie");
    Follower follower = new Follower(cookie == null ? "" : cookie);
    streams.put(client, follower);
    client.onClose(() -> streams.remove(client));
    try {
      send(client, follower, snapshot(), System.currentTimeMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
    }
  }

  /** One round of the live streams: every page gets the snapshot of now, in its own scope. */
  private void push() {
    if (streams.isEmpty()) {
      return;
    }
    try {
      LiveSnapshot now = snapshot();
      long at = System.currentTimeMillis();
      streams.forEach((client, follower) -> send(client, follower, now, at));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The next round tries again; a scheduled task that throws would never run again.
      LOG.warn("console: live streams not updated", e);
    }
  }

  private void send(SseClient client, Follower follower, LiveSnapshot snapshot, long now) {
    // The first event (the request's thread) and a round (the pusher's) may meet on one stream.
    synchronized (follower) {
      if (client.terminated() || follower.sent == snapshot.generatedAt()) {
        return;
      }
      follower.sent = snapshot.generatedAt();
      if (logins == null) {
        client.sendEvent("snapshot", snapshot);
        return;
      }
      Account who = logins.account(follower.cookie, now).orElse(null);
      if (who == null) {
        client.sendEvent("signed-out", Map.of("error", "the session has ended: sign in again"));
        client.close();
      } else {
        client.sendEvent("snapshot", LiveReader.scoped(snapshot, who));
      }
    }
  }

  /**
   * {@code POST /api/login} with {@code {"username": ..., "password": ...}}: a session cookie, or
   * 401.
   */
  private void login(Context ex) throws InterruptedException {
    if (logins == null) {
      sendError(ex, 404, "this console has no users file (console.users.file): nobody signs in");
      return;
    }
    JsonNode body = jsonBody(ex, "the sign-in");
    if (body == null) {
      return;
    }
    char[] password = body.path("password").asText("").toCharArray();
    ConsoleLogins.Outcome outcome =
        logins.login(body.path("username").asText(null), password, System.currentTimeMillis());
    signIns
        .computeIfAbsent(
            outcome instanceof ConsoleLogins.Outcome.In
                ? "in"
                : outcome instanceof ConsoleLogins.Outcome.Throttled ? "throttled" : "refused",
            o -> new AtomicLong())
        .incrementAndGet();
    if (outcome instanceof ConsoleLogins.Outcome.In in) {
      ex.header(
          "Set-Cookie",
          ConsoleLogins.setCookie(in.cookie(), scheme.equals("https"), ConsoleLogins.SESSION));
      LOG.info("console: {} ({}) signed in", in.account().username(), in.account().role().id());
      sendJson(ex, 200, person(in.account()));
    } else if (outcome instanceof ConsoleLogins.Outcome.Throttled t) {
      ex.header("Retry-After", String.valueOf(t.retryAfterSeconds()));
      sendError(
          ex,
          429,
          "too many wrong passwords for this account: try again in "
              + t.retryAfterSeconds()
              + " s");
    } else {
      sendError(ex, 401, "unknown user or wrong password");
    }
  }

  /**
   * {@code GET /api/me}: who is signed in (401 when nobody), or how this console is used without
   * logins.
   */
  private void me(Context ex) {
    if (logins == null) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("mode", "token");
      answer.put("canAcknowledge", token != null);
      sendJson(ex, 200, answer);
      return;
    }
    Account who = logins.account(ex.header("Cookie"), System.currentTimeMillis()).orElse(null);
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
  private static final Map<String, Function<Alert, String>> ALERT_FILTERS =
      Map.of(
          "kind",
          Alert::kind,
          "district",
          Alert::district,
          "community",
          Alert::community,
          "state",
          Alert::state,
          "severity",
          Alert::severity,
          "assignee",
          Alert::assignee,
          "open",
          a -> String.valueOf(LiveReader.isOpen(a)));

  /**
   * {@code GET /api/alerts[?open=true&kind=&district=&community=&state=&severity=&assignee=]}: the
   * latest state of every alert the caller may see, newest first; each parameter given must match
   * (exactly; {@code open} is {@code true} or {@code false}). An unknown parameter is a 400 naming
   * it, not a filter silently ignored.
   */
  private void alertList(Context ex) {
    Account who = ex.attribute(WHO);
    Map<String, String> wanted = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> param : ex.queryParamMap().entrySet()) {
      if (!ALERT_FILTERS.containsKey(param.getKey())) {
        sendError(
            ex,
            400,
            "unknown filter '"
                + param.getKey()
                + "': use "
                + new TreeSet<>(ALERT_FILTERS.keySet()));
        return;
      }
      wanted.put(param.getKey(), param.getValue().get(0));
    }
    sendJson(
        ex,
        200,
        board.alerts().stream()
            .filter(a -> who == null || who.covers(a.district(), a.community()))
            .filter(
                a ->
                    wanted.entrySet().stream()
                        .allMatch(w -> w.getValue().equals(ALERT_FILTERS.get(w.getKey()).apply(a))))
            .toList());
  }

  /**
   * {@code GET /api/alerts/<alertId>}: the alert's latest state and every state it went through, as
   * city.alerts carried them. An alert outside the caller's scope is 404, as an unknown one: its
   * existence is not theirs to learn either.
   */
  private void alertHistory(Context ex) {
    String alertId = ex.pathParam("alertId");
    Account who = ex.attribute(WHO);
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

  /**
   * The request's JSON body (application/json, at most {@link #MAX_BODY} bytes), or null once an
   * error was sent.
   */
  private JsonNode jsonBody(Context ex, String what) {
    String type = ex.contentType();
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server
    // never grants: another web page cannot act through an operator's browser.
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      sendError(ex, 415, "send " + what + " as application/json");
      return null;
    }
    try {
      // Javalin answers 413 to a body beyond config.http.maxRequestSize (MAX_BODY).
      JsonNode body = json.readTree(ex.bodyAsBytes());
      if (body == null || !body.isObject()) {
        sendError(ex, 400, what + " is not a JSON object");
        return null;
      }
      return body;
    } catch (IOException e) {
      sendError(ex, 400, what + " is not JSON");
      return null;
    }
  }

  private void acknowledge(Context ex) {
    String verb = ex.pathParam("verb");
    if (!ACTIONS.containsKey(verb)) {
      sendError(ex, 404, "no action " + verb + ": use " + new TreeSet<>(ACTIONS.keySet()));
      return;
    }
    String outcome = "refused";
    try {
      outcome =
          publishAcknowledgement(ex, ex.pathParam("alertId"), ex.attribute(WHO), ACTIONS.get(verb));
    } finally {
      acknowledgements.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
    }
  }

  /**
   * Answers the request; returns the outcome for the meters. Signed in, the acknowledgement is the
   * person's, on {@code city/ack/<alertId>/<username>}, and only for an alert their scope covers
   * (403 otherwise); with the token, it is whoever {@code by} names, on contract v1's topic.
   */
  private String publishAcknowledgement(Context ex, String alertId, Account who, String action) {
    if (!ALERT_ID.matcher(alertId).matches()) {
      sendError(ex, 400, "not an alert id: " + alertId);
      return "refused";
    }
    JsonNode body = jsonBody(ex, "the acknowledgement");
    if (body == null) {
      return "refused";
    }
    String by = who != null ? who.username() : body.path("by").asText("").strip();
    if (by.isEmpty()
        || by.length() > MAX_BY_LENGTH
        || by.chars().anyMatch(Character::isISOControl)) {
      sendError(ex, 400, "'by' must name who acknowledges, 1.." + MAX_BY_LENGTH + " characters");
      return "refused";
    }
    String note = body.path("note").asText("").strip();
    if (note.codePointCount(0, note.length()) > MAX_NOTE_LENGTH
        || note.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
      sendError(ex, 400, "'note' must be at most " + MAX_NOTE_LENGTH + " characters of text");
      return "refused";
    }
    if (note.isEmpty() && (Ack.RESOLVE.equals(action) || Ack.COMMENT.equals(action))) {
      sendError(ex, 400, "a " + action + " needs its text in 'note' (the reason, the comment)");
      return "refused";
    }
    String assignee = null;
    if (Ack.ASSIGN.equals(action)) {
      assignee = body.path("assignee").asText("");
      if (!IngestValidator.DEVICE_ID.matcher(assignee).matches()) {
        sendError(ex, 400, "'assignee' must be a user name");
        return "refused";
      }
    }
    Alert known =
        board.alerts().stream().filter(a -> a.alertId().equals(alertId)).findFirst().orElse(null);
    if (known == null) {
      sendError(ex, 404, "no alert " + alertId + " on city.alerts");
      return "refused";
    }
    if (who != null && !who.covers(known.district(), known.community())) {
      LOG.warn(
          "console: {} ({} of {}) may not acknowledge {} (district {}, community {})",
          who.username(),
          who.role().id(),
          who.scope(),
          alertId,
          known.district(),
          known.community());
      sendError(
          ex,
          403,
          "this alert is not in your " + (who.role() == Role.MANAGER ? "community" : "district"));
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

  /**
   * {@code GET /api/trend?district=<code>}: the district's traffic_district rows of the last hour,
   * oldest first.
   */
  private void trend(Context ex) throws InterruptedException {
    String district = ex.queryParam("district");
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
    answer.put(
        "points",
        points.stream()
            .map(
                p -> {
                  Map<String, Object> point = new LinkedHashMap<>();
                  point.put("timestamp", p.get("timestamp"));
                  point.put("tti", p.get("tti"));
                  point.put("mean_speed_kmh", p.get("mean_speed_kmh"));
                  return point;
                })
            .toList());
    sendJson(ex, 200, answer);
  }

  private void sendError(Context ex, int status, String message) {
    sendJson(ex, status, Map.of("error", message));
  }

  private void sendJson(Context ex, int status, Object value) {
    ex.header("Cache-Control", "no-store");
    ex.status(status).json(value);
  }

  private static void send(Context ex, int status, String type, byte[] body) {
    ex.status(status).contentType(type).result(body);
  }

  /** The console's own file {@code /console/<name>} of the jar. */
  private static byte[] resource(String name) {
    try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("/console/" + name + " is not in the console's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    pusher.shutdownNow();
    streams.keySet().forEach(SseClient::close);
    if (http != null) {
      http.stop();
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

  /**
   * A page on the live stream: the session cookie it opened the stream with, and the snapshot it
   * has.
   */
  private static final class Follower {
    final String cookie;

    /**
     * {@link LiveSnapshot#generatedAt()} of the last snapshot sent: the same one is not sent twice.
     */
    long sent = Long.MIN_VALUE;

    Follower(String cookie) {
      this.cookie = cookie;
    }
  }

  /** A request turned away before its route, with the status it gets and why. */
  private static final class Refused extends RuntimeException {
    final int status;

    /** Whether the answer is {@code {"error": ...}} (the API's) or plain text (the door's). */
    final boolean json;

    Refused(int status, boolean json, String message) {
      super(message, null, false, false);
      this.status = status;
      this.json = json;
    }
  }
}
