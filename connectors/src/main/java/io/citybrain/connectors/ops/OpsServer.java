package io.citybrain.connectors.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's operations endpoints (issue 21), on a port of their own:
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text exposition of the process's {@link #registry()}
 *       (Micrometer's, JVM and process meters included);
 *   <li>{@code GET /health/live}: 200 while the process answers at all (Kubernetes restarts a pod
 *       whose liveness fails, so this never depends on Kafka or the broker);
 *   <li>{@code GET /health/ready}: 200 when the process does its work now, 503 when not, with the
 *       checks and their reasons as JSON (Kubernetes stops routing to it, and an operator reads
 *       why).
 * </ul>
 *
 * Read-only, no secrets in any answer; the metrics carry no payloads, ids or user names.
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What readiness reports: whether all checks pass, and each check's state in words. */
  public record Readiness(boolean ready, Map<String, String> checks) {}

  private final PrometheusMeterRegistry registry;
  private final HttpServer http;
  private final ExecutorService pool;

  private OpsServer(PrometheusMeterRegistry registry, HttpServer http, ExecutorService pool) {
    this.registry = registry;
    this.http = http;
    this.pool = pool;
  }

  /** A registry with the JVM's and the process's meters bound, for a process's own meters. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * Listens on {@code host:port} ({@code port} 0: an ephemeral one).
   *
   * @param settingKey the setting that chose the port, named when it cannot be opened
   */
  public static OpsServer start(
      String host,
      int port,
      String settingKey,
      PrometheusMeterRegistry registry,
      Supplier<Readiness> readiness) {
    return start(host, port, settingKey, registry, readiness, () -> "");
  }

  /**
   * As {@link #start(String, int, String, PrometheusMeterRegistry, Supplier)}, with {@code
   * alsoScrape}'s exposition text appended to every scrape: where one process hosts parts that
   * export their metrics elsewhere (the local city's Flink), so that one scrape holds them all. Its
   * metric families must not share a name with the registry's.
   */
  public static OpsServer start(
      String host,
      int port,
      String settingKey,
      PrometheusMeterRegistry registry,
      Supplier<Readiness> readiness,
      Supplier<String> alsoScrape) {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          settingKey + " " + host + ":" + port + " cannot be opened: " + e.getMessage(), e);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "ops-http");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(pool);
    http.createContext(
        "/metrics",
        ex ->
            answer(
                ex,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape() + alsoScrape.get()));
    http.createContext(
        "/health/live", ex -> answer(ex, 200, "application/json", "{\"status\":\"UP\"}"));
    http.createContext(
        "/health/ready",
        ex -> {
          Readiness r;
          try {
            r = readiness.get();
          } catch (RuntimeException e) {
            LOG.warn("readiness check failed", e);
            r = new Readiness(false, Map.of("check", "failed: " + e));
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", r.ready() ? "UP" : "DOWN");
          body.put("checks", r.checks());
          answer(ex, r.ready() ? 200 : 503, "application/json", JSON.writeValueAsString(body));
        });
    http.start();
    return new OpsServer(registry, http, pool);
  }

  /** The keys {@link #fromSettings} reads under {@code prefix}. */
  public static java.util.List<String> keys(String prefix) {
    return java.util.List.of(prefix + "http.port", prefix + "http.host");
  }

  /**
   * Starts on {@code <prefix>http.port} ({@code defaultPort} when unset; 0 an ephemeral port) and
   * {@code <prefix>http.host} (default 0.0.0.0), with {@code bind} given the registry first; null
   * when the port is -1. A bad port fails naming its key.
   */
  public static OpsServer fromSettings(
      java.util.Properties p,
      String prefix,
      int defaultPort,
      java.util.function.Consumer<io.micrometer.core.instrument.MeterRegistry> bind,
      Supplier<Readiness> readiness) {
    String portKey = prefix + "http.port";
    int port = io.citybrain.connectors.ProcessSettings.intNumber(p, portKey, defaultPort);
    if (port == -1) {
      return null;
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          portKey + " must be a port, 0 (ephemeral) or -1 (none), got " + port);
    }
    PrometheusMeterRegistry registry = newRegistry();
    bind.accept(registry);
    return start(
        p.getProperty(prefix + "http.host", "0.0.0.0"), port, portKey, registry, readiness);
  }

  private static void answer(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://host:port} as a client reaches it. */
  public String url() {
    String host =
        http.getAddress().getAddress().isAnyLocalAddress()
            ? "127.0.0.1"
            : http.getAddress().getHostString();
    return "http://" + host + ":" + port();
  }

  @Override
  public void close() {
    http.stop(0);
    pool.shutdownNow();
    registry.close();
  }
}
