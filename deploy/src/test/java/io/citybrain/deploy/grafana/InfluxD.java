package io.citybrain.deploy.grafana;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real InfluxDB 1.x ({@code influxd} of Debian's {@code influxdb} package) as a child process:
 * its own directories under {@code dir}, HTTP on an ephemeral loopback port, every other listener
 * (meta RPC on a loopback ephemeral port; graphite, collectd, opentsdb, udp, ifql off) and
 * background service (usage reporting, the {@code _internal} monitor database, continuous queries,
 * subscriptions) switched off, so that several can run on one machine and none phones home.
 *
 * <p>Thread safety: start and close from one thread; {@link #query} and {@link #write} from any.
 */
final class InfluxD implements AutoCloseable {

  /** Where Debian installs it; {@code -Dcitybrain.influxd=/path} or {@code INFLUXD} overrides. */
  private static final List<String> CANDIDATES =
      List.of("/usr/bin/influxd", "/usr/sbin/influxd", "/usr/local/bin/influxd");

  private static final Pattern LISTENING =
      Pattern.compile("Listening on HTTP.*addr=([^\\s]+):(\\d+)");

  private final Process process;
  private final Path log;
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private InfluxD(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  /** The influxd binary, if this machine has one. */
  static Optional<Path> binary() {
    String configured = System.getProperty("citybrain.influxd", System.getenv("INFLUXD"));
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    Stream<String> onPath =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .filter(d -> !d.isBlank())
            .map(d -> d + "/influxd");
    return Stream.concat(CANDIDATES.stream(), onPath)
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst();
  }

  static String config(Path dir) {
    return """
        # Upstream's key and Debian's (which renamed it); each ignores the other's.
        reporting-disabled = true
        reporting-enabled = false
        bind-address = "127.0.0.1:0"
        [meta]
          dir = "%1$s/meta"
          logging-enabled = false
        [data]
          dir = "%1$s/data"
          wal-dir = "%1$s/wal"
          query-log-enabled = false
        [monitor]
          store-enabled = false
        [subscriber]
          enabled = false
        [continuous_queries]
          enabled = false
        [retention]
          enabled = false
        [shard-precreation]
          enabled = false
        [http]
          enabled = true
          bind-address = "127.0.0.1:0"
          auth-enabled = false
          log-enabled = false
          pprof-enabled = false
          unix-socket-enabled = false
        [ifql]
          enabled = false
        [logging]
          level = "info"
          suppress-logo = true
        """
        .formatted(dir.toAbsolutePath().toString().replace("\\", "/"));
  }

  /** Starts influxd with its files under {@code dir}; returns once it answers {@code /ping}. */
  static InfluxD start(Path binary, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    Path conf = Files.writeString(dir.resolve("influxdb.conf"), config(dir));
    Path log = dir.resolve("influxd.log");
    Process p =
        new ProcessBuilder(binary.toString(), "run", "-config", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Instant deadline = Instant.now().plus(timeout);
    URI base = null;
    while (base == null) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "influxd exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      if (Instant.now().isAfter(deadline)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "influxd did not listen on HTTP within " + timeout + ":\n" + Files.readString(log));
      }
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        base = URI.create("http://127.0.0.1:" + m.group(2));
      } else {
        Thread.sleep(100);
      }
    }
    InfluxD influx = new InfluxD(p, log, base);
    influx.awaitPing(deadline);
    return influx;
  }

  private void awaitPing(Instant deadline) throws IOException, InterruptedException {
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(base.resolve("/ping")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 204) {
          return;
        }
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "influxd at " + base + " does not answer /ping:\n" + Files.readString(log), e);
        }
      }
      Thread.sleep(100);
    }
  }

  URI base() {
    return base;
  }

  /**
   * Runs InfluxQL on {@code /query} (POST, so that statements that write work too); the JSON body.
   */
  String query(String db, String influxQl) throws IOException, InterruptedException {
    String form =
        "q="
            + URLEncoder.encode(influxQl, StandardCharsets.UTF_8)
            + (db == null ? "" : "&db=" + URLEncoder.encode(db, StandardCharsets.UTF_8))
            + "&epoch=ms";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(
          "InfluxDB answered HTTP " + r.statusCode() + " to " + influxQl + ": " + r.body());
    }
    return r.body();
  }

  /** Writes line protocol with millisecond timestamps through the v1 {@code /write}. */
  void write(String db, String lines) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    base.resolve(
                        "/write?db="
                            + URLEncoder.encode(db, StandardCharsets.UTF_8)
                            + "&precision=ms"))
                .POST(HttpRequest.BodyPublishers.ofString(lines, StandardCharsets.UTF_8))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 204) {
      throw new IOException(
          "InfluxDB refused the points (HTTP " + r.statusCode() + "): " + r.body());
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
