package io.citybrain.deploy;

import io.citybrain.connectors.bridge.BridgeSettings;
import io.citybrain.connectors.bridge.MqttKafkaBridge;
import io.citybrain.connectors.bridge.PipelineReporter;
import io.citybrain.connectors.dispatch.AlertDispatcher;
import io.citybrain.connectors.dispatch.DispatchSettings;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.connectors.ops.KafkaProbe;
import io.citybrain.connectors.ops.OpsServer;
import io.citybrain.connectors.registry.DeviceRegistry;
import io.citybrain.console.ConsoleServer;
import io.citybrain.console.ConsoleSettings;
import io.citybrain.contract.Topics;
import io.citybrain.deploy.cluster.Mosquitto;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.EmbeddedMqttBroker;
import io.citybrain.embedded.EmbeddedQuestDb;
import io.citybrain.embedded.MqttUsers;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import io.citybrain.jobs.common.JobEnvironment;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.jobs.utility.UtilityJob;
import io.citybrain.jobs.utility.UtilitySettings;
import io.citybrain.simulators.BackgroundSimulation;
import io.citybrain.simulators.Fleet;
import io.citybrain.simulators.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole city chain in this JVM, on real components: Moquette, a KRaft Kafka broker, QuestDB and
 * a Flink MiniCluster, with the bridge, the traffic, emergency and utility jobs, alert dispatch and
 * (optionally) the simulators. Started in dependency order, closed in reverse.
 */
public final class LocalCity implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCity.class);
  static final String BRIDGE_ACCOUNT = "citybrain-bridge";
  static final String DISPATCH_ACCOUNT = "citybrain-dispatch";
  static final String CONSOLE_ACCOUNT = "citybrain-console";

  /**
   * The store's one account (QuestDB's HTTP basic authentication); its password is random per
   * start.
   */
  static final String STORE_ACCOUNT = "citybrain";

  /**
   * How to start the local city. A port of 0 picks a free ephemeral port (tests); the defaults are
   * those of ARCHITECTURE.md.
   *
   * @param kafkaOverrides broker settings, e.g. retention, that win over the embedded defaults
   * @param idleness after how long a silent Kafka partition stops holding back the watermark
   * @param emergency escalation times and thresholds of the emergency job
   * @param mqttUsers a users file ({@link MqttUsers}) that turns the broker's authentication and
   *     access control on; null (the default) lets anonymous devices in, as on a laptop
   * @param consolePort port of the built-in live console; {@link #NO_CONSOLE} for none
   * @param city a city package directory ({@link CityPackage}); null for the generated city of
   *     {@code seed}
   * @param maxReadingAge the bridge's {@code bridge.max-reading-age}: older readings are dead
   *     letters {@code stale-timestamp}; {@link IngestValidator#NO_AGE_LIMIT} for a city that is
   *     fed recorded history ({@code simulate --replay} of an old recording, tests with fixed
   *     instants)
   */
  public record Options(
      Path dataDir,
      int mqttPort,
      int kafkaPort,
      int storePort,
      int flinkPort,
      boolean simulate,
      long seed,
      boolean fresh,
      Map<String, String> kafkaOverrides,
      Duration idleness,
      EmergencySettings emergency,
      Path mqttUsers,
      int consolePort,
      Path city,
      Duration maxReadingAge,
      boolean flinkMetrics,
      boolean mosquitto) {

    /** The console's port when there is to be no console. */
    public static final int NO_CONSOLE = -1;

    public static final int DEFAULT_CONSOLE_PORT = 8080;

    /**
     * ARCHITECTURE.md's ports, the simulators on, the console on 8080: {@code ./citybrain local}.
     */
    public static Options defaults() {
      return new Builder().build();
    }

    /**
     * Every port ephemeral, no simulators, no console, escalation and resolution after seconds
     * instead of minutes: for tests that run beside a local city.
     */
    public static Options ephemeral(Path dataDir) {
      EmergencySettings d = EmergencySettings.defaults();
      EmergencySettings fast =
          new EmergencySettings(
              Duration.ofSeconds(3),
              Duration.ofSeconds(2),
              d.fireWindow(),
              Duration.ofSeconds(10),
              d.floodWarningCm(),
              d.floodCriticalCm(),
              d.ticketDeadlines(),
              Duration.ofSeconds(5),
              Duration.ofSeconds(30),
              d.maxOpenTicketsPerDevice(),
              d.maxBuildingsPerDetector());
      return new Builder()
          .dataDir(dataDir)
          .ports(0, 0, 0, 0)
          .simulate(false)
          .fresh(true)
          .kafkaOverrides(Map.of("log.retention.ms", "-1"))
          .idleness(Duration.ofSeconds(3))
          .emergency(fast)
          .consolePort(NO_CONSOLE)
          .build();
    }

    /** These options, to change some of them. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.dataDir = dataDir;
      b.mqttPort = mqttPort;
      b.kafkaPort = kafkaPort;
      b.storePort = storePort;
      b.flinkPort = flinkPort;
      b.simulate = simulate;
      b.seed = seed;
      b.fresh = fresh;
      b.kafkaOverrides = kafkaOverrides;
      b.idleness = idleness;
      b.emergency = emergency;
      b.mqttUsers = mqttUsers;
      b.consolePort = consolePort;
      b.city = city;
      b.maxReadingAge = maxReadingAge;
      b.flinkMetrics = flinkMetrics;
      b.mosquitto = mosquitto;
      return b;
    }

    /**
     * With Flink's Prometheus reporter in the MiniCluster, on a port of its own printed as {@code
     * Flink metrics}. Off by default: the reporter listens on every interface (it has no host
     * setting), and on a laptop every other listener stays on loopback.
     */
    public Options withFlinkMetrics(boolean on) {
      return toBuilder().flinkMetrics(on).build();
    }

    /**
     * On Debian's Mosquitto, started as a child process, instead of the embedded Moquette: for a
     * simulation of more than about a thousand readings a second, which Moquette's fixed in-flight
     * window of ten messages per session does not let the bridge take (issue 22). Anonymous access
     * only: the accounts of {@code --mqtt-users} are the embedded broker's here, and {@code
     * ./citybrain cluster --users} runs them on Mosquitto.
     */
    public Options withMosquitto(boolean on) {
      return toBuilder().mosquitto(on).build();
    }

    /** On the city package in {@code dir} (null: the generated city of the seed). */
    public Options withCity(Path dir) {
      return toBuilder().city(dir).build();
    }

    public Options withMqttUsers(Path usersFile) {
      return toBuilder().mqttUsers(usersFile).build();
    }

    /** With the live console on this port (0: a free one), or without it ({@link #NO_CONSOLE}). */
    public Options withConsolePort(int port) {
      return toBuilder().consolePort(port).build();
    }

    /**
     * With another bound for the bridge's {@code stale-timestamp}; {@link
     * IngestValidator#NO_AGE_LIMIT} to feed the city recorded history (a replay, a test's fixed
     * instants).
     */
    public Options withMaxReadingAge(Duration age) {
      return toBuilder().maxReadingAge(age).build();
    }

    /**
     * Options one at a time, from {@code ./citybrain local}'s defaults (see {@link Options} for
     * each).
     */
    public static final class Builder {
      private Path dataDir = Path.of(".citybrain");
      private int mqttPort = 1883;
      private int kafkaPort = 9092;
      private int storePort = 9000;
      private int flinkPort = 8081;
      private boolean simulate = true;
      private long seed = 42L;
      private boolean fresh;
      private Map<String, String> kafkaOverrides = Map.of();
      private Duration idleness = Duration.ofSeconds(10);
      private EmergencySettings emergency = EmergencySettings.defaults();
      private Path mqttUsers;
      private int consolePort = DEFAULT_CONSOLE_PORT;
      private Path city;
      private Duration maxReadingAge = IngestValidator.DEFAULT_MAX_AGE;
      private boolean flinkMetrics;
      private boolean mosquitto;

      public Builder dataDir(Path dir) {
        this.dataDir = dir;
        return this;
      }

      /** The MQTT broker's, Kafka's, the store's and Flink's ports (0: a free one each). */
      public Builder ports(int mqtt, int kafka, int store, int flink) {
        this.mqttPort = mqtt;
        this.kafkaPort = kafka;
        this.storePort = store;
        this.flinkPort = flink;
        return this;
      }

      public Builder simulate(boolean on) {
        this.simulate = on;
        return this;
      }

      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      public Builder fresh(boolean fresh) {
        this.fresh = fresh;
        return this;
      }

      public Builder kafkaOverrides(Map<String, String> overrides) {
        this.kafkaOverrides = overrides;
        return this;
      }

      public Builder idleness(Duration idleness) {
        this.idleness = idleness;
        return this;
      }

      public Builder emergency(EmergencySettings emergency) {
        this.emergency = emergency;
        return this;
      }

      public Builder mqttUsers(Path usersFile) {
        this.mqttUsers = usersFile;
        return this;
      }

      public Builder consolePort(int port) {
        this.consolePort = port;
        return this;
      }

      public Builder city(Path dir) {
        this.city = dir;
        return this;
      }

      public Builder maxReadingAge(Duration age) {
        this.maxReadingAge = age;
        return this;
      }

      public Builder flinkMetrics(boolean on) {
        this.flinkMetrics = on;
        return this;
      }

      public Builder mosquitto(boolean on) {
        this.mosquitto = on;
        return this;
      }

      public Options build() {
        return new Options(
            dataDir,
            mqttPort,
            kafkaPort,
            storePort,
            flinkPort,
            simulate,
            seed,
            fresh,
            kafkaOverrides,
            idleness,
            emergency,
            mqttUsers,
            consolePort,
            city,
            maxReadingAge,
            flinkMetrics,
            mosquitto);
      }
    }
  }

  /**
   * Enough devices that every urban district and every indicator moves, few enough for a laptop.
   */
  static final int SIMULATED_DEVICES = 2000;

  /** The device registry in the data directory. */
  static final String REGISTRY_FILE = "devices.csv";

  private final Options options;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final List<JobID> jobs = new ArrayList<>();

  /** The MQTT broker's {@code tcp://host:port}: the embedded Moquette's, or Mosquitto's. */
  private String brokerUrl;

  /** The embedded Moquette, or null when Debian's Mosquitto is the broker. */
  private EmbeddedMqttBroker embeddedBroker;

  private EmbeddedKafka kafka;
  private EmbeddedQuestDb store;
  private MiniCluster flink;

  /** Flink's Prometheus reporter's port, with {@link Options#flinkMetrics()}; 0 without. */
  private int flinkMetricsPort;

  private final java.net.http.HttpClient flinkScrapeClient =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private URI flinkUi;
  private BackgroundSimulation simulator;
  private Map<String, String> loopSegments = Map.of();
  private ConsoleServer console;
  private OpsServer ops;
  private String cityName = "Hangzhou";
  private final char[] storePassword = MqttUsers.randomPassword();

  private LocalCity(Options options) {
    this.options = options;
  }

  /** Starts everything; on failure, stops what had started and rethrows. */
  public static LocalCity start(Options options, Consumer<String> progress) {
    LocalCity city = new LocalCity(options);
    try {
      city.startAll(progress);
      return city;
    } catch (Exception e) {
      city.close();
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("the local city did not start: " + e.getMessage(), e);
    }
  }

  private void startAll(Consumer<String> progress) throws Exception {
    Path dir = options.dataDir().toAbsolutePath();
    if (options.mosquitto()) {
      if (options.mqttUsers() != null) {
        throw new IllegalArgumentException(
            "--broker mosquitto and --mqtt-users do not go together here: the local city's "
                + "accounts are the embedded broker's (./citybrain cluster --users runs them on mosquitto)");
      }
      Mosquitto.requireInstalled("--broker mosquitto");
    }
    if (options.fresh()) {
      // The components' data only: logs and temporary files may be open already.
      for (String component : List.of("mqtt", "mosquitto", "kafka", "questdb", "flink")) {
        deleteTree(dir.resolve(component));
      }
    }
    // A package is read and checked before anything starts: a bad one stops start-up naming its
    // file and feature, with nothing started and nothing written.
    CityPackage given = options.city() == null ? null : CityPackage.read(options.city());
    cityName = given == null ? "Hangzhou" : given.manifest().englishName();
    Files.createDirectories(dir);
    Ports.checkFree(options);
    // The generated city takes seconds of one core; the jobs and the simulators need it only after
    // the servers are up, so it is generated meanwhile (the model caches it per seed).
    CompletableFuture<CityPackage> city =
        given != null
            ? CompletableFuture.completedFuture(given)
            : CompletableFuture.supplyAsync(() -> CityPackage.generatedHangzhou(options.seed()));

    // With a users file, the bridge and the dispatcher get service accounts whose random passwords
    // live only in this JVM: nothing to keep secret on disk.
    MqttUsers users = options.mqttUsers() == null ? null : MqttUsers.load(options.mqttUsers());
    char[] bridgePassword = MqttUsers.randomPassword();
    char[] dispatchPassword = MqttUsers.randomPassword();
    char[] consolePassword = MqttUsers.randomPassword();
    if (users != null) {
      users
          .addService(BRIDGE_ACCOUNT, bridgePassword)
          .addService(DISPATCH_ACCOUNT, dispatchPassword)
          .addService(CONSOLE_ACCOUNT, consolePassword);
    }
    if (options.mosquitto()) {
      progress.accept("MQTT broker (Debian's mosquitto, anonymous access)");
      int port = io.citybrain.embedded.FreePorts.resolve(options.mqttPort());
      track(
          Mosquitto.process(
                  dir.resolve("mosquitto"),
                  List.of("listener " + port + " 127.0.0.1", "allow_anonymous true"),
                  port,
                  dir.resolve("mosquitto").resolve("mosquitto.log"))
              .start());
      brokerUrl = "tcp://127.0.0.1:" + port;
    } else {
      progress.accept(
          users == null ? "MQTT broker (anonymous access)" : "MQTT broker (authentication on)");
      embeddedBroker =
          track(
              users == null
                  ? EmbeddedMqttBroker.startAnonymous(dir.resolve("mqtt"), options.mqttPort())
                  : EmbeddedMqttBroker.start(dir.resolve("mqtt"), options.mqttPort(), users));
      brokerUrl = embeddedBroker.url();
    }
    progress.accept("Kafka (KRaft)");
    kafka =
        track(
            EmbeddedKafka.start(
                dir.resolve("kafka"), options.kafkaPort(), options.kafkaOverrides()));
    createTopics(kafka.bootstrapServers());
    progress.accept("time-series store (QuestDB, InfluxDB v2 write API)");
    // Issue 23: a web page in the operator's browser reaches loopback too; the store's every
    // endpoint needs this random password, which only the city's parts get (and the operator,
    // printed).
    store =
        track(
            EmbeddedQuestDb.start(
                dir.resolve("questdb"), options.storePort(), STORE_ACCOUNT, storePassword));
    progress.accept("Flink MiniCluster");
    startFlink(dir.resolve("flink"));
    // The simulated fleet's registry, written whether or not it is simulated (its devices are fixed
    // by the seed): the bridge places fixed devices that send no position from it, and the traffic
    // job counts loop detectors on the segments it names.
    Fleet fleet = Fleet.build(city.join(), SIMULATED_DEVICES, options.seed());
    Path registry = dir.resolve(REGISTRY_FILE);
    fleet.writeRegistry(registry);
    loopSegments = DeviceRegistry.load(BridgeSettings.REGISTRY_KEY, registry).loopSegments();
    submitJobs();
    progress.accept("bridge and alert dispatch");
    BridgeSettings bridgeSettings =
        BridgeSettings.local(brokerUrl, kafka.bootstrapServers())
            .withRegistry(registry)
            .withMaxReadingAge(options.maxReadingAge());
    DispatchSettings dispatch =
        DispatchSettings.local(kafka.bootstrapServers(), brokerUrl, influx());
    if (users != null) {
      // The same file decides who may acknowledge what (issue 20): the bridge adds each person's
      // role and scope.
      bridgeSettings =
          bridgeSettings
              .withCredentials(BRIDGE_ACCOUNT, bridgePassword)
              .withUsers(options.mqttUsers());
      dispatch = dispatch.withMqttCredentials(DISPATCH_ACCOUNT, dispatchPassword);
    }
    MqttKafkaBridge bridge = track(MqttKafkaBridge.start(bridgeSettings));
    // The bridge's counters as the contract's `pipeline` measurement, for the dashboards.
    track(
        PipelineReporter.start(
            bridge.metrics(), PipelineReporter.BRIDGE_STAGE, influx(), Duration.ofSeconds(10)));
    AlertDispatcher dispatcher = track(AlertDispatcher.start(dispatch));
    // One city for the console's map and the simulators: the one the jobs run on.
    CityModel cityModel = city.join().city();
    if (options.consolePort() != Options.NO_CONSOLE) {
      progress.accept("console");
      ConsoleSettings consoleSettings =
          ConsoleSettings.local(
                  options.consolePort(), store.url(), kafka.bootstrapServers(), brokerUrl)
              .withStoreCredentials(STORE_ACCOUNT, storePassword);
      if (users != null) {
        // People sign in with the accounts of the same file, each seeing their own scope (issue
        // 20).
        consoleSettings =
            consoleSettings
                .withMqttCredentials(CONSOLE_ACCOUNT, consolePassword)
                .withUsers(options.mqttUsers());
      }
      console = track(ConsoleServer.start(consoleSettings, city.join()));
    }
    // The bridge's, the dispatcher's and the console's /metrics and /health, as their own processes
    // serve them in production (issue 21); one process here, so one port (ephemeral, loopback,
    // read-only).
    KafkaProbe kafkaProbe =
        track(
            new KafkaProbe(kafka.bootstrapServers(), KafkaSecurity.NONE, "citybrain-local-probe"));
    var meters = OpsServer.newRegistry();
    bridge.bindMetrics(meters);
    dispatcher.bindMetrics(meters);
    if (console != null) {
      console.bindMetrics(meters);
    }
    if (embeddedBroker != null) {
      io.micrometer.core.instrument.FunctionCounter.builder(
              "citybrain.broker.publications.refused",
              embeddedBroker,
              EmbeddedMqttBroker::refusedTopics)
          .description(
              "Publications the embedded broker refused for a topic holding a control character,"
                  + " a noncharacter or malformed UTF-8")
          .register(meters);
    }
    ops =
        track(
            OpsServer.start(
                "127.0.0.1",
                0,
                "ops port",
                meters,
                () -> {
                  Map<String, String> checks = new java.util.LinkedHashMap<>();
                  checks.put(
                      "bridge", bridge.subscribed() ? "subscribed" : "not connected to the broker");
                  Map<String, String> dispatchProblems = dispatcher.problems();
                  checks.putAll(dispatchProblems);
                  Map<String, String> consoleProblems =
                      console == null ? Map.of() : console.problems();
                  consoleProblems.forEach(
                      (check, problem) -> checks.put("console " + check, problem));
                  Optional<String> kafkaProblem = kafkaProbe.problem();
                  checks.put("kafka", kafkaProblem.orElse("answers"));
                  return new OpsServer.Readiness(
                      bridge.subscribed()
                          && dispatchProblems.isEmpty()
                          && consoleProblems.isEmpty()
                          && kafkaProblem.isEmpty(),
                      checks);
                },
                this::flinkScrape));
    if (options.simulate() && users != null) {
      // The simulated devices connect anonymously, which an authenticating broker refuses.
      progress.accept(
          "no simulators: they connect anonymously and the broker requires authentication");
    } else if (options.simulate()) {
      progress.accept("simulators");
      simulator =
          track(BackgroundSimulation.start(brokerUrl, fleet, options.seed(), Scenario.NORMAL_DAY));
    }
  }

  private <T extends AutoCloseable> T track(T component) {
    started.push(component);
    return component;
  }

  private static void createTopics(String bootstrap)
      throws InterruptedException, ExecutionException {
    ContractTopics.create(
        bootstrap,
        t -> t.startsWith(Topics.RAW_PREFIX) || t.equals(Topics.ALERTS) ? 2 : 1,
        (short) 1);
  }

  private void startFlink(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("tmp"));
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_PORT, String.valueOf(options.flinkPort()));
    // Issue 23: the REST port must not run a jar a web page uploads. The city submits its jobs
    // in-process (submitJobs) and cancels them through the MiniCluster, never through these
    // handlers.
    conf.setString("web.submit.enable", "false");
    conf.setString("web.cancel.enable", "false");
    conf.setString("web.access-control-allow-origin", "http://127.0.0.1:" + options.flinkPort());
    // Unset, the BlobServer and the RPC/data ports listen on every interface.
    conf.setString("jobmanager.bind-host", "127.0.0.1");
    conf.setString("jobmanager.rpc.address", "127.0.0.1");
    conf.setString("taskmanager.bind-host", "127.0.0.1");
    conf.setString("taskmanager.host", "127.0.0.1");
    conf.setString("metrics.internal.query-service.port", "0");
    conf.set(CoreOptions.TMP_DIRS, dir.resolve("tmp").toString());
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(64));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(64));
    if (options.flinkMetrics()) {
      // The reporter the FlinkDeployments run (deploy/kubernetes), for the jobs' metrics on a
      // laptop.
      flinkMetricsPort = io.citybrain.embedded.FreePorts.resolve(0);
      conf.setString(
          "metrics.reporter.prom.factory.class",
          "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      conf.setString("metrics.reporter.prom.port", String.valueOf(flinkMetricsPort));
    }
    flink =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(4)
                .build());
    flink.start();
    started.push(
        () -> {
          // Cancel first, so the jobs stop as cancelled instead of failing when their cluster goes
          // away.
          for (JobID job : jobs) {
            try {
              flink.cancelJob(job).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
              LOG.warn("cancelling job {} failed", job, e);
            }
          }
          flink.closeAsync().get(30, TimeUnit.SECONDS);
        });
    flinkUi = flink.getRestAddress().get(30, TimeUnit.SECONDS);
  }

  /** The settings the city's jobs run with. */
  public JobSettings jobSettings() {
    return JobSettings.builder(kafka.bootstrapServers(), influx())
        .checkpointInterval(Duration.ofSeconds(5))
        .idleness(options.idleness())
        .citySeed(options.seed())
        .cityPackage(options.city() == null ? null : options.city().toAbsolutePath().toString())
        .build();
  }

  /** Runs one more job on the city's Flink, e.g. a bounded replay; returns its id. */
  public JobID run(String name, Consumer<StreamExecutionEnvironment> wiring) throws Exception {
    JobSettings s = jobSettings();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    JobEnvironment.configure(env, s);
    wiring.accept(env);
    var graph = env.getStreamGraph();
    graph.setJobName(name);
    return flink.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
  }

  /** Each job through the same assembly as its {@code main} and the job jar. */
  private void submitJobs() throws Exception {
    JobSettings s = jobSettings();
    submit(TrafficJob.NAME, env -> TrafficJob.assemble(env, s, loopSegments));
    submit(EmergencyJob.NAME, env -> EmergencyJob.assemble(env, s, options.emergency()));
    submit(UtilityJob.NAME, env -> UtilityJob.assemble(env, s, UtilitySettings.defaults()));
  }

  private InfluxSettings influx() {
    return new InfluxSettings(store.url(), "citybrain", "citybrain", store.authorization());
  }

  private void submit(String name, Consumer<StreamExecutionEnvironment> assembly) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assembly.accept(env);
    var graph = env.getStreamGraph();
    graph.setJobName(name);
    jobs.add(flink.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID());
  }

  public String mqttUrl() {
    return brokerUrl;
  }

  public String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  public EmbeddedQuestDb store() {
    return store;
  }

  /** The store's account password of this start, as the start-up lines print it. */
  char[] storePassword() {
    return storePassword.clone();
  }

  public URI flinkUi() {
    return flinkUi;
  }

  /**
   * Where a browser opens the live console: its URL with the token acknowledgements need ({@code
   * ?token=...}, random per start; reads need none).
   */
  public java.util.Optional<URI> consoleUrl() {
    return console == null ? java.util.Optional.empty() : java.util.Optional.of(console.openUrl());
  }

  /**
   * With {@link Options#flinkMetrics()}, the reporter's scrape, relayed into the ops port's so that
   * one scrape holds every part of this one process (issue 21): Flink's reporter keeps its registry
   * to itself, so its text is fetched and appended rather than its metrics re-registered. Its
   * families are all {@code flink_*}, none of the bridge's, dispatcher's or console's. A reporter
   * that does not answer leaves a comment in the scrape instead of failing it.
   */
  private String flinkScrape() {
    if (flinkMetricsPort == 0) {
      return "";
    }
    URI uri = flinkMetrics().orElseThrow();
    try {
      java.net.http.HttpResponse<String> r =
          flinkScrapeClient.send(
              java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return r.body();
      }
      return "# Flink's reporter " + uri + " answered " + r.statusCode() + "\n";
    } catch (java.io.IOException e) {
      return "# Flink's reporter "
          + uri
          + " did not answer: "
          + e.getClass().getSimpleName()
          + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Flink's Prometheus reporter, with {@link Options#flinkMetrics()}. */
  public java.util.Optional<URI> flinkMetrics() {
    return flinkMetricsPort == 0
        ? java.util.Optional.empty()
        : java.util.Optional.of(URI.create("http://127.0.0.1:" + flinkMetricsPort + "/metrics"));
  }

  public MiniCluster flink() {
    return flink;
  }

  public List<JobID> jobs() {
    return List.copyOf(jobs);
  }

  /** What a person needs to connect to the city, one line each. */
  public List<String> endpoints() {
    List<String> lines = new ArrayList<>();
    if (console != null) {
      lines.add(
          "live console       "
              + console.openUrl()
              + "   (map, live figures, alerts with acknowledge, pipeline health;"
              + (console.token() == null
                  ? " people sign in with the accounts of the users file)"
                  : " the token is this start's: keep the URL to yourself)"));
    }
    lines.add(
        "MQTT broker        "
            + brokerUrl
            + "   ("
            + (options.mosquitto() ? "mosquitto; " : "")
            + "publish city/<domain>/<kind>/<deviceId>; alerts on city/alerts/#)");
    lines.add(
        "Kafka              "
            + kafka.bootstrapServers()
            + "   (topics "
            + String.join(", ", Topics.ALL)
            + ")");
    lines.add(
        "time-series store  "
            + store.url()
            + "   (InfluxDB v2 write API /api/v2/write; SQL console and /exec: QuestDB;"
            + " user "
            + STORE_ACCOUNT
            + ", password "
            + new String(storePassword)
            + ", this start's)");
    lines.add(
        "Flink web UI       "
            + flinkUi
            + "   (jobs "
            + TrafficJob.NAME
            + ", "
            + EmergencyJob.NAME
            + ", "
            + UtilityJob.NAME
            + ")");
    if (flinkMetricsPort != 0) {
      lines.add(
          "Flink metrics      http://127.0.0.1:"
              + flinkMetricsPort
              + "/metrics   (the jobs' records, watermarks, checkpoints"
              + " and own counters, Prometheus text; on every interface)");
    }
    if (ops != null) {
      lines.add(
          "metrics, health    "
              + ops.url()
              + "/metrics   "
              + ops.url()
              + "/health/ready   (bridge, alert dispatch"
              + (console == null ? "" : " and console")
              + (flinkMetricsPort == 0 ? "" : ", and Flink's relayed")
              + ", Prometheus text)");
    }
    lines.add("data               " + options.dataDir().toAbsolutePath());
    lines.add(
        "device registry    "
            + options.dataDir().toAbsolutePath().resolve(REGISTRY_FILE)
            + "   (the simulated fleet; the bridge and the traffic job read it)");
    lines.add(
        options.city() == null
            ? "city model         Hangzhou, seed "
                + options.seed()
                + "   (./citybrain city export DIR --seed "
                + options.seed()
                + ")"
            : "city model         "
                + cityName
                + ", package "
                + options.city().toAbsolutePath()
                + "   (docs/geography.md)");
    if (simulator != null) {
      lines.add(
          "simulators         normal-day on "
              + simulator.fleet().devices().size()
              + " devices (./citybrain simulate for more)");
    }
    return lines;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed", c.getClass().getSimpleName(), e);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
