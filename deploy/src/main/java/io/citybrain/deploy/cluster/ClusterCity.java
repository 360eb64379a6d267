package io.citybrain.deploy.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.connectors.dispatch.DispatchMain;
import io.citybrain.connectors.envelope.IngestValidator;
import io.citybrain.connectors.kafka.ContractTopics;
import io.citybrain.contract.Topics;
import io.citybrain.embedded.EmbeddedKafka;
import io.citybrain.embedded.FreePorts;
import io.citybrain.embedded.QuestDbMain;
import io.citybrain.simulators.Fleet;
import io.citybrain.users.UsersFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.kafka.common.Uuid;

/**
 * The city as a cluster of separate processes on this machine, each started by this supervisor:
 * Mosquitto, three Kafka brokers (KRaft, replication factor 3, {@code min.insync.replicas=2}),
 * QuestDB, a Flink JobManager with two TaskManagers, two bridge instances sharing the MQTT load
 * through a shared subscription, and one alert dispatcher. The jobs are submitted as the production
 * jar, over REST, with Flink's own client. Every child dies with the supervisor, also on Ctrl-C or
 * SIGTERM.
 */
public final class ClusterCity implements AutoCloseable {

  /**
   * Topics' replication in the cluster; with {@value #MIN_INSYNC} in sync, one broker may be down.
   */
  public static final short REPLICATION = 3;

  public static final int MIN_INSYNC = 2;
  public static final int BROKERS = 3;
  public static final int TASK_MANAGERS = 2;
  public static final int BRIDGES = 2;

  /**
   * Slots per TaskManager: every job (parallelism 2) fits on one TaskManager while the other
   * restarts.
   */
  public static final int SLOTS = 6;

  public static final String BRIDGE_GROUP = "citybrain-bridges";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param flinkClasspath file with the class path of Flink's own processes (Flink, its web
   *     front-end and log4j; no job code: that comes in the job jar)
   * @param jobJar the production job jar ({@code jobs-dist/target/citybrain-jobs.jar})
   * @param mqttPort, storePort, flinkPort 0 for ephemeral ports
   * @param jobSettings extra {@code key value} settings for every submitted job (e.g. {@code
   *     watermark.idleness})
   * @param maxReadingAge the bridges' {@code bridge.max-reading-age}; {@link
   *     IngestValidator#NO_AGE_LIMIT} for a cluster fed recorded history (the chaos test's hours of
   *     simulated time just past)
   * @param consolePort the live console's port (0: ephemeral)
   * @param flinkMetrics whether the JobManager and the TaskManagers serve Prometheus {@code
   *     /metrics} through Flink's own reporter, which listens on every interface (it has no host
   *     setting): off unless asked, as every other listener of the cluster stays on loopback
   * @param usersFile citybrain's users file (issue 20), or null for an open city: with it Mosquitto
   *     authenticates everyone with the ACL {@code ./citybrain users mosquitto} writes, citybrain's
   *     own processes log in on a second listener with accounts of this start, the bridges check
   *     acknowledgements against it and people sign in to the console with it
   */
  public record Options(
      Path dataDir,
      Path flinkClasspath,
      Path jobJar,
      long seed,
      boolean fresh,
      int mqttPort,
      int storePort,
      int flinkPort,
      int devices,
      Map<String, String> jobSettings,
      Duration maxReadingAge,
      int consolePort,
      boolean flinkMetrics,
      Path usersFile) {

    /**
     * Options one at a time, from those of a test's cluster: every port ephemeral, seed 42, a fresh
     * data directory, 2,000 simulated devices, no extra job settings, the default reading age, an
     * ephemeral console, no Flink reporter, an open city.
     */
    public static Builder builder(Path dataDir, Path flinkClasspath, Path jobJar) {
      return new Builder(dataDir, flinkClasspath, jobJar);
    }

    public static Options ephemeral(Path dataDir, Path flinkClasspath, Path jobJar) {
      return builder(dataDir, flinkClasspath, jobJar).build();
    }

    /** These options, to change some of them. */
    public Builder toBuilder() {
      Builder b = new Builder(dataDir, flinkClasspath, jobJar);
      b.seed = seed;
      b.fresh = fresh;
      b.mqttPort = mqttPort;
      b.storePort = storePort;
      b.flinkPort = flinkPort;
      b.devices = devices;
      b.jobSettings = jobSettings;
      b.maxReadingAge = maxReadingAge;
      b.consolePort = consolePort;
      b.flinkMetrics = flinkMetrics;
      b.usersFile = usersFile;
      return b;
    }

    /**
     * With another bound for the bridges' {@code stale-timestamp} ({@link
     * IngestValidator#NO_AGE_LIMIT}: none).
     */
    public Options withMaxReadingAge(Duration age) {
      return toBuilder().maxReadingAge(age).build();
    }

    /** With the live console on this port (0: ephemeral). */
    public Options withConsolePort(int port) {
      return toBuilder().consolePort(port).build();
    }

    /**
     * With Flink's Prometheus reporter in the JobManager and the TaskManagers (see {@link
     * #flinkMetrics()}).
     */
    public Options withFlinkMetrics(boolean on) {
      return toBuilder().flinkMetrics(on).build();
    }

    /** With people's and devices' accounts from this users file (see {@link #usersFile()}). */
    public Options withUsers(Path file) {
      return toBuilder().usersFile(file).build();
    }

    /** See {@link Options} for each option, and {@link #builder} for the defaults. */
    public static final class Builder {
      private final Path dataDir;
      private final Path flinkClasspath;
      private final Path jobJar;
      private long seed = 42L;
      private boolean fresh = true;
      private int mqttPort;
      private int storePort;
      private int flinkPort;
      private int devices = 2000;
      private Map<String, String> jobSettings = Map.of();
      private Duration maxReadingAge = IngestValidator.DEFAULT_MAX_AGE;
      private int consolePort;
      private boolean flinkMetrics;
      private Path usersFile;

      private Builder(Path dataDir, Path flinkClasspath, Path jobJar) {
        this.dataDir = dataDir;
        this.flinkClasspath = flinkClasspath;
        this.jobJar = jobJar;
      }

      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      public Builder fresh(boolean fresh) {
        this.fresh = fresh;
        return this;
      }

      /** The MQTT broker's, the store's and Flink's ports (0: a free one each). */
      public Builder ports(int mqtt, int store, int flink) {
        this.mqttPort = mqtt;
        this.storePort = store;
        this.flinkPort = flink;
        return this;
      }

      public Builder devices(int devices) {
        this.devices = devices;
        return this;
      }

      public Builder jobSettings(Map<String, String> settings) {
        this.jobSettings = settings;
        return this;
      }

      public Builder maxReadingAge(Duration age) {
        this.maxReadingAge = age;
        return this;
      }

      public Builder consolePort(int port) {
        this.consolePort = port;
        return this;
      }

      public Builder flinkMetrics(boolean on) {
        this.flinkMetrics = on;
        return this;
      }

      public Builder usersFile(Path file) {
        this.usersFile = file;
        return this;
      }

      public Options build() {
        return new Options(
            dataDir,
            flinkClasspath,
            jobJar,
            seed,
            fresh,
            mqttPort,
            storePort,
            flinkPort,
            devices,
            jobSettings,
            maxReadingAge,
            consolePort,
            flinkMetrics,
            usersFile);
      }
    }

    /**
     * The city the jobs, the bridges' registry and the simulators use: the package of the job
     * setting {@code city.package}, else the generated city of the seed.
     */
    public io.citybrain.geo.CityPackage city() {
      String dir = jobSettings.get("city.package");
      return dir == null
          ? io.citybrain.geo.CityPackage.generatedHangzhou(seed)
          : io.citybrain.geo.CityPackage.read(Path.of(dir));
    }
  }

  private final Options options;
  private final Path dir;
  private final List<ChildProcess> all = Collections.synchronizedList(new ArrayList<>());
  private ProcessWatcher watcher;
  private final Map<String, JobID> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Thread shutdownHook;
  private ChildProcess mosquitto;
  private final List<ChildProcess> brokers = new ArrayList<>();
  private ChildProcess store;

  /**
   * The store's account: random for each start, held by citybrain's own processes only (jobs,
   * dispatch), as in the local city; a SQL request or a write without it is refused (issue 23).
   */
  static final String STORE_ACCOUNT = "citybrain";

  private final char[] storePassword = io.citybrain.embedded.MqttUsers.randomPassword();

  /** Process name → its operations port ({@code /metrics}, {@code /health/*}). */
  private final Map<String, Integer> opsPorts = new java.util.concurrent.ConcurrentSkipListMap<>();

  /**
   * Flink process name → the port of its Prometheus reporter ({@code /metrics} only), with {@link
   * Options#flinkMetrics()}.
   */
  private final Map<String, Integer> flinkMetricsPorts =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  private ChildProcess jobManager;
  private final List<ChildProcess> taskManagers = new ArrayList<>();
  private final List<ChildProcess> bridges = new ArrayList<>();
  private ChildProcess dispatcher;
  private int consolePort;

  /**
   * The console's token for this start (state changes need it), as the local city's; held by this
   * supervisor.
   */
  private final String consoleToken = new String(io.citybrain.embedded.MqttUsers.randomPassword());

  private int mqttPort;

  /**
   * With a users file: the listener of citybrain's own processes, whose accounts (bridge, dispatch,
   * console) get random passwords at every start that live only in this supervisor and its
   * children.
   */
  private int servicePort;

  private UsersFile people;
  private final char[] bridgePassword = UsersFile.randomPassword();
  private final char[] dispatchPassword = UsersFile.randomPassword();
  private final char[] consolePassword = UsersFile.randomPassword();

  /**
   * Signs the console's session cookies when people sign in; new at every start, so a restart signs
   * everyone out.
   */
  private final String sessionKey =
      new String(UsersFile.randomPassword()) + new String(UsersFile.randomPassword());

  private int storePort;
  private int flinkPort;
  private final List<Integer> kafkaPorts = new ArrayList<>();
  private Path registry;
  private Path logs;
  private volatile boolean closed;

  private ClusterCity(Options options) {
    this.options = options;
    this.dir = options.dataDir().toAbsolutePath();
    // The children die with the supervisor, whatever ends it short of SIGKILL.
    this.shutdownHook = new Thread(this::close, "citybrain-cluster-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts every part in dependency order; on failure stops what had started and rethrows. */
  public static ClusterCity start(Options options, Consumer<String> progress) {
    ClusterCity c = new ClusterCity(options);
    try {
      c.startAll(progress);
      return c;
    } catch (Exception e) {
      c.close();
      throw e instanceof RuntimeException r
          ? r
          : new IllegalStateException("the cluster did not start: " + e.getMessage(), e);
    }
  }

  private void startAll(Consumer<String> progress) throws Exception {
    Mosquitto.requireInstalled("the cluster's MQTT broker");
    if (!Files.isRegularFile(options.jobJar())) {
      throw new IllegalStateException(
          "the job jar " + options.jobJar() + " is missing: ./mvnw -B -DskipTests package");
    }
    if (!Files.isRegularFile(options.flinkClasspath())) {
      throw new IllegalStateException(
          "Flink's class path file "
              + options.flinkClasspath()
              + " is missing: ./mvnw -B -DskipTests package");
    }
    requireFreePorts();
    if (options.fresh()) {
      for (String part : List.of("mqtt", "kafka", "questdb", "flink")) {
        deleteTree(dir.resolve(part));
      }
    }
    logs = dir.resolve("logs");
    Files.createDirectories(logs);
    writeChildLogConfig();

    if (options.usersFile() != null) {
      // Checked before any process starts: a bad file stops the command naming its line.
      people = UsersFile.load(options.usersFile());
    }
    progress.accept(
        people == null
            ? "MQTT broker (mosquitto, anonymous access)"
            : "MQTT broker (mosquitto, accounts of " + options.usersFile() + ")");
    mqttPort = FreePorts.resolve(options.mqttPort());
    servicePort = people == null ? mqttPort : FreePorts.resolve(0);
    Path mqtt = dir.resolve("mqtt");
    Files.createDirectories(mqtt);
    mosquitto =
        track(
                Mosquitto.process(
                    mqtt,
                    people == null
                        // An open city, a laptop's: devices connect anonymously, as in ./citybrain
                        // local.
                        ? List.of("listener " + mqttPort + " 127.0.0.1", "allow_anonymous true")
                        : accountsListeners(mqtt),
                    mqttPort,
                    logs.resolve("mosquitto.log")))
            .start();

    progress.accept("Kafka: " + BROKERS + " brokers (KRaft)");
    startKafka();
    createTopics();

    progress.accept("time-series store (QuestDB)");
    storePort = FreePorts.resolve(options.storePort());
    store =
        track(
                new ChildProcess(
                    "questdb",
                    java(
                        List.of("-Xmx512m"),
                        System.getProperty("java.class.path"),
                        QuestDbMain.class.getName(),
                        dir.resolve("questdb").toString(),
                        String.valueOf(storePort)),
                    Map.of(
                        QuestDbMain.USER_ENV,
                        STORE_ACCOUNT,
                        QuestDbMain.PASSWORD_ENV,
                        new String(storePassword)),
                    logs.resolve("questdb.log"),
                    ChildProcess.Ready.logged(QuestDbMain.READY),
                    Duration.ofSeconds(90)))
            .start();

    progress.accept("Flink: JobManager and " + TASK_MANAGERS + " TaskManagers");
    startFlink();

    progress.accept("bridges: " + BRIDGES + " instances on a shared subscription");
    Fleet fleet = Fleet.build(options.city(), options.devices(), options.seed());
    registry = dir.resolve("devices.csv");
    fleet.writeRegistry(registry);
    for (int i = 1; i <= BRIDGES; i++) {
      bridges.add(track(bridge(i)).launch());
    }
    for (ChildProcess b : bridges) {
      b.awaitReady();
    }
    progress.accept("alert dispatch");
    dispatcher = track(dispatchProcess()).start();
    progress.accept("live console");
    track(consoleProcess()).start();
  }

  private ChildProcess track(ChildProcess p) {
    all.add(p);
    return p;
  }

  // ---- MQTT

  /**
   * The two listeners of deploy/kubernetes/mqtt/mosquitto.yaml, on loopback: people and devices on
   * the MQTT port with the files {@code ./citybrain users mosquitto} writes (a client's id is its
   * user name), citybrain's own processes on a port of their own with this start's accounts.
   */
  private List<String> accountsListeners(Path mqtt) throws IOException {
    Files.writeString(
        mqtt.resolve("passwords"), people.mosquittoPasswords(), StandardCharsets.UTF_8);
    Files.writeString(mqtt.resolve("acl"), people.mosquittoAcl(), StandardCharsets.UTF_8);
    UsersFile services =
        UsersFile.empty()
            .addService(BRIDGE_ACCOUNT, bridgePassword)
            .addService(DISPATCH_ACCOUNT, dispatchPassword)
            .addService(CONSOLE_ACCOUNT, consolePassword);
    Files.writeString(
        mqtt.resolve("service-passwords"),
        services.mosquittoServicePasswords(),
        StandardCharsets.UTF_8);
    Files.writeString(
        mqtt.resolve("service-acl"), UsersFile.mosquittoServiceAcl(), StandardCharsets.UTF_8);
    return List.of(
        "per_listener_settings true",
        "listener " + mqttPort + " 127.0.0.1",
        "allow_anonymous false",
        "use_username_as_clientid true",
        "password_file " + mqtt.resolve("passwords"),
        "acl_file " + mqtt.resolve("acl"),
        "listener " + servicePort + " 127.0.0.1",
        "allow_anonymous false",
        "password_file " + mqtt.resolve("service-passwords"),
        "acl_file " + mqtt.resolve("service-acl"));
  }

  static final String BRIDGE_ACCOUNT = UsersFile.BRIDGE_SERVICE;
  static final String DISPATCH_ACCOUNT = UsersFile.DISPATCH_SERVICE;
  static final String CONSOLE_ACCOUNT = UsersFile.CONSOLE_SERVICE;

  // ---- Kafka

  private void startKafka() throws IOException {
    List<Integer> controllerPorts = new ArrayList<>();
    for (int i = 0; i < BROKERS; i++) {
      kafkaPorts.add(FreePorts.resolve(0));
      controllerPorts.add(FreePorts.resolve(0));
    }
    String voters =
        Stream.iterate(0, i -> i + 1)
            .limit(BROKERS)
            .map(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
            .collect(Collectors.joining(","));
    String clusterId = Uuid.randomUuid().toString();
    for (int i = 0; i < BROKERS; i++) {
      int node = i + 1;
      Path data = dir.resolve("kafka").resolve("broker-" + node);
      Map<String, String> props = new LinkedHashMap<>(EmbeddedKafka.commonSettings());
      props.put("process.roles", "broker,controller");
      props.put("node.id", String.valueOf(node));
      props.put("controller.quorum.voters", voters);
      props.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:"
              + kafkaPorts.get(i)
              + ",CONTROLLER://127.0.0.1:"
              + controllerPorts.get(i));
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + kafkaPorts.get(i));
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", data.toString());
      props.put("default.replication.factor", String.valueOf(REPLICATION));
      props.put("min.insync.replicas", String.valueOf(MIN_INSYNC));
      props.put("offsets.topic.replication.factor", String.valueOf(REPLICATION));
      props.put("offsets.topic.num.partitions", "4");
      props.put("transaction.state.log.replication.factor", String.valueOf(REPLICATION));
      props.put("transaction.state.log.min.isr", String.valueOf(MIN_INSYNC));
      props.put("share.coordinator.state.topic.replication.factor", String.valueOf(REPLICATION));
      props.put("share.coordinator.state.topic.min.isr", String.valueOf(MIN_INSYNC));
      // A replica that restarted must not lead before it caught up: no unclean elections.
      props.put("unclean.leader.election.enable", "false");
      props.put("log.retention.ms", "-1");
      Files.createDirectories(data);
      if (!Files.exists(data.resolve("meta.properties"))) {
        EmbeddedKafka.format(data, props, clusterId);
      }
      Path config = dir.resolve("kafka").resolve("broker-" + node + ".properties");
      Properties p = new Properties();
      p.putAll(props);
      try (var out = Files.newOutputStream(config)) {
        p.store(out, "written by citybrain cluster");
      }
      brokers.add(
          track(
              new ChildProcess(
                  "kafka-" + node,
                  java(
                      List.of("-Xmx384m", "-Xms384m"),
                      System.getProperty("java.class.path"),
                      "kafka.Kafka",
                      config.toString()),
                  Map.of(),
                  logs.resolve("kafka-" + node + ".log"),
                  ChildProcess.Ready.listening(kafkaPorts.get(i)),
                  Duration.ofSeconds(120))));
    }
    // All three first: a KRaft quorum forms only once a majority of controllers runs.
    brokers.forEach(ChildProcess::launch);
    brokers.forEach(ChildProcess::awaitReady);
  }

  private void createTopics() throws InterruptedException, ExecutionException {
    ContractTopics.create(
        kafkaBootstrap(),
        t -> t.startsWith(Topics.RAW_PREFIX) ? 4 : t.equals(Topics.ALERTS) ? 2 : 1,
        REPLICATION);
  }

  // ---- Flink

  private void startFlink() throws Exception {
    Path flink = dir.resolve("flink");
    Path conf = flink.resolve("conf");
    Files.createDirectories(conf);
    Files.createDirectories(flink.resolve("tmp"));
    Files.createDirectories(flink.resolve("checkpoints"));
    flinkPort = FreePorts.resolve(options.flinkPort());
    int rpcPort = FreePorts.resolve(0);
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", String.valueOf(rpcPort));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("jobmanager.memory.process.size", "768m");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", String.valueOf(flinkPort));
    // Issue 23: `flink run` submits through /v1/jobs (the job graph and its blobs), not through
    // /jars/upload and /jars/run, so those stay off and no web page can run a jar here.
    c.put("web.submit.enable", "false");
    c.put("web.access-control-allow-origin", "http://127.0.0.1:" + flinkPort);
    c.put("blob.server.port", "0");
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.rpc.port", "0");
    c.put("taskmanager.data.port", "0");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(SLOTS));
    // Every memory part spelled out, as Flink's start script would compute them: the TaskManager
    // is started here without that script. Heap = framework + task heap, direct = off-heap +
    // network.
    c.put("taskmanager.cpu.cores", String.valueOf(SLOTS));
    c.put("taskmanager.memory.framework.heap.size", "128m");
    // Room for a job's heap state: the traffic job holds each reading until the watermark passes
    // it, i.e. the out-of-orderness' worth of readings (the chaos test's is an hour of replayed
    // time).
    c.put("taskmanager.memory.task.heap.size", "768m");
    c.put("taskmanager.memory.framework.off-heap.size", "128m");
    c.put("taskmanager.memory.task.off-heap.size", "0m");
    c.put("taskmanager.memory.managed.size", "64m");
    c.put("taskmanager.memory.network.min", "64m");
    c.put("taskmanager.memory.network.max", "64m");
    c.put("taskmanager.memory.jvm-metaspace.size", "192m");
    c.put("taskmanager.memory.jvm-overhead.min", "128m");
    c.put("taskmanager.memory.jvm-overhead.max", "128m");
    c.put("parallelism.default", "2");
    c.put("io.tmp.dirs", flink.resolve("tmp").toString());
    c.put("execution.checkpointing.dir", flink.resolve("checkpoints").toUri().toString());
    c.put("execution.checkpointing.num-retained", "2");
    // A lost TaskManager or broker is retried, backing off, for as long as it takes to come back.
    c.put("restart-strategy.type", "exponential-delay");
    c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
    c.put("restart-strategy.exponential-delay.max-backoff", "10 s");
    c.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "1000000");
    // A killed TaskManager is noticed within seconds, not the default 50.
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "10000");
    c.put("slot.request.timeout", "600000");
    if (options.flinkMetrics()) {
      // The reporter of the FlinkDeployments; each process gets its port as a dynamic property
      // below.
      c.put(
          "metrics.reporter.prom.factory.class",
          "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }
    Files.writeString(
        conf.resolve("config.yaml"),
        c.entrySet().stream()
            .map(e -> e.getKey() + ": " + quoteYaml(e.getValue()))
            .collect(Collectors.joining("\n", "", "\n")));
    String classpath = flinkClasspath();
    jobManager =
        track(
                new ChildProcess(
                    "flink-jobmanager",
                    java(
                        List.of("-Xmx512m", "-Dlog.file=" + logs.resolve("flink-jobmanager.log")),
                        classpath,
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        withReporterPort("flink-jobmanager", "--configDir", conf.toString())),
                    Map.of(),
                    logs.resolve("flink-jobmanager.out"),
                    ChildProcess.Ready.listening(flinkPort),
                    Duration.ofSeconds(120)))
            .start();
    for (int i = 1; i <= TASK_MANAGERS; i++) {
      taskManagers.add(
          track(
                  new ChildProcess(
                      "flink-taskmanager-" + i,
                      java(
                          List.of(
                              "-Xmx896m",
                              "-XX:MaxDirectMemorySize=256m",
                              "-Dlog.file=" + logs.resolve("flink-taskmanager-" + i + ".log")),
                          classpath,
                          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                          withReporterPort(
                              "flink-taskmanager-" + i, "--configDir", conf.toString())),
                      Map.of(),
                      logs.resolve("flink-taskmanager-" + i + ".out"),
                      p -> true,
                      Duration.ofSeconds(5)))
              .launch());
    }
    awaitTaskManagers(TASK_MANAGERS, Duration.ofSeconds(120));
  }

  /**
   * {@code args}, and with {@link Options#flinkMetrics()} the reporter's port of this process as a
   * dynamic property.
   */
  private String[] withReporterPort(String process, String... args) {
    if (!options.flinkMetrics()) {
      return args;
    }
    int port = flinkMetricsPorts.computeIfAbsent(process, p -> FreePorts.resolve(0));
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = "-Dmetrics.reporter.prom.port=" + port;
    return all;
  }

  /**
   * Flink process name → the port its Prometheus reporter serves {@code /metrics} on (empty without
   * {@link Options#flinkMetrics()}).
   */
  public Map<String, Integer> flinkMetricsPorts() {
    return Map.copyOf(flinkMetricsPorts);
  }

  private static String quoteYaml(String v) {
    return v.matches("[A-Za-z0-9_.:/-]+") && !v.contains(": ")
        ? v
        : "\"" + v.replace("\"", "\\\"") + "\"";
  }

  /** Waits until the JobManager counts {@code n} registered TaskManagers. */
  public void awaitTaskManagers(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = -1;
    while (System.nanoTime() < deadline) {
      try {
        seen = flinkRest("/overview").path("taskmanagers").asInt(-1);
        if (seen == n) {
          return;
        }
      } catch (RuntimeException notYet) {
        // the REST endpoint may refuse while the JobManager starts
      }
      ChildProcess.sleep(500);
    }
    throw new IllegalStateException(
        n
            + " TaskManagers expected, the JobManager counts "
            + seen
            + " after "
            + timeout.toSeconds()
            + " s; see "
            + logs);
  }

  /**
   * One GET of Flink's monitoring REST API (for status only: jobs are submitted with Flink's
   * client).
   */
  public JsonNode flinkRest(String path) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(flinkUi() + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "Flink REST " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Submits one job of the production jar ({@code --job traffic|utility|emergency}) to the
   * JobManager over REST with Flink's own command-line client ({@code flink run -d}), in a JVM with
   * Flink's class path only: the jar's {@code main} builds the job graph in Flink's child-first
   * class loader, where nothing of the supervisor's own class path (another copy of the Kafka
   * connector and clients) can get in the way.
   *
   * @param settings more {@code key value} job settings, winning over the cluster's
   */
  public JobID submit(String job, Map<String, String> settings)
      throws IOException, InterruptedException {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("job", job);
    args.put("kafka.bootstrap-servers", kafkaBootstrap());
    args.put("influx.url", storeUrl());
    args.put("influx.org", "citybrain");
    args.put("influx.bucket", "citybrain");
    args.put("influx.token", storeAuthorization());
    args.put("parallelism", "2");
    args.put("city.seed", String.valueOf(options.seed()));
    args.putAll(options.jobSettings());
    args.putAll(settings);
    List<String> argv =
        new ArrayList<>(
            List.of(
                "run",
                "--detached",
                "--jobmanager",
                "127.0.0.1:" + flinkPort,
                options.jobJar().toAbsolutePath().toString()));
    args.forEach(
        (k, v) -> {
          argv.add("--" + k);
          argv.add(v);
        });
    Path log = logs.resolve("flink-submit-" + job + ".log");
    Files.deleteIfExists(log);
    ChildProcess client =
        new ChildProcess(
            "flink-run-" + job,
            java(
                List.of("-Xmx384m"),
                flinkClasspath(),
                "org.apache.flink.client.cli.CliFrontend",
                argv.toArray(String[]::new)),
            Map.of("FLINK_CONF_DIR", dir.resolve("flink").resolve("conf").toString()),
            log,
            p -> true,
            Duration.ofSeconds(5));
    int rc = client.launch().waitFor(Duration.ofMinutes(3));
    String output = Files.readString(log);
    Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(output);
    if (rc != 0 || !m.find()) {
      throw new IllegalStateException(
          "flink run of the "
              + job
              + " job failed (exit "
              + rc
              + "); see "
              + log
              + ":\n"
              + output
                  .lines()
                  .filter(l -> !l.startsWith("\tat "))
                  .limit(40)
                  .collect(Collectors.joining("\n")));
    }
    JobID id = JobID.fromHexString(m.group(1));
    jobs.put(job, id);
    return id;
  }

  private String flinkClasspath() throws IOException {
    return Files.readString(options.flinkClasspath()).trim();
  }

  private Configuration clientConfiguration() {
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, flinkPort);
    return conf;
  }

  /**
   * Every fixed port asked for is free before anything starts. A process already listening there
   * would pass for the cluster's own part (its readiness is "the port answers"): Debian's mosquitto
   * service on 1883, say, or a cluster that is still stopping.
   */
  private void requireFreePorts() {
    Map<String, Integer> asked = new LinkedHashMap<>();
    asked.put("--mqtt-port", options.mqttPort());
    asked.put("--store-port", options.storePort());
    asked.put("--flink-port", options.flinkPort());
    asked.put("--console-port", options.consolePort());
    asked.forEach(
        (option, port) -> {
          if (port == 0) {
            return;
          }
          try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
          } catch (IOException e) {
            throw new IllegalStateException(
                "port "
                    + port
                    + " ("
                    + option
                    + ") is in use by another process"
                    + (option.equals("--mqtt-port")
                        ? " (Debian's mosquitto service listens on 1883: sudo systemctl stop mosquitto)"
                        : "")
                    + " or by a cluster still stopping; choose another port, or 0 for any free one");
          }
        });
  }

  /** Cancels a submitted job and waits until it is cancelled. */
  public void cancel(JobID id) throws Exception {
    Configuration conf = clientConfiguration();
    try (RestClusterClient<StandaloneClusterId> client =
        new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
      client.cancel(id).get(60, TimeUnit.SECONDS);
    }
  }

  // ---- bridges

  private ChildProcess bridge(int i) throws IOException {
    String id = "citybrain-bridge-" + i;
    Properties p = new Properties();
    p.setProperty("bridge.mqtt.url", serviceMqttUrl());
    p.setProperty("bridge.mqtt.client-id", id);
    Map<String, String> env =
        new java.util.HashMap<>(Map.of("CITYBRAIN_INFLUX_TOKEN", storeAuthorization()));
    if (people != null) {
      p.setProperty("bridge.mqtt.username", BRIDGE_ACCOUNT);
      p.setProperty("bridge.users.file", options.usersFile().toAbsolutePath().toString());
      env.put("CITYBRAIN_BRIDGE_MQTT_PASSWORD", new String(bridgePassword));
    }
    p.setProperty("bridge.kafka.bootstrap-servers", kafkaBootstrap());
    p.setProperty("bridge.mqtt.subscription", "$share/" + BRIDGE_GROUP + "/city/#");
    p.setProperty("bridge.registry.path", registry.toString());
    p.setProperty("bridge.metrics.interval-ms", "5000");
    p.setProperty("bridge.max-reading-age", options.maxReadingAge().toString());
    p.setProperty("bridge.influx.url", storeUrl());
    return citybrainProcess(
        "bridge-" + i,
        "bridge.",
        p,
        "io.citybrain.connectors.bridge.BridgeMain",
        env,
        "bridge ready");
  }

  // One is enough here; as on Kubernetes, more would share city.alerts as one consumer group.
  private ChildProcess dispatchProcess() throws IOException {
    Properties p = new Properties();
    p.setProperty("dispatch.kafka.bootstrap-servers", kafkaBootstrap());
    p.setProperty("dispatch.mqtt.url", serviceMqttUrl());
    p.setProperty("dispatch.mqtt.client-id", "citybrain-dispatch-1");
    p.setProperty("dispatch.influx.url", storeUrl());
    Map<String, String> env =
        new java.util.HashMap<>(Map.of("CITYBRAIN_INFLUX_TOKEN", storeAuthorization()));
    if (people != null) {
      p.setProperty("dispatch.mqtt.username", DISPATCH_ACCOUNT);
      env.put("CITYBRAIN_DISPATCH_MQTT_PASSWORD", new String(dispatchPassword));
    }
    return citybrainProcess(
        "dispatch", "dispatch.", p, DispatchMain.class.getName(), env, DispatchMain.READY);
  }

  /**
   * The console as its own process ({@code ConsoleMain}, as in the image): on loopback, reading the
   * store through QuestDB's dialect with the store's account, the token from the environment.
   */
  private ChildProcess consoleProcess() throws IOException {
    Properties p = new Properties();
    consolePort = FreePorts.resolve(options.consolePort());
    p.setProperty("console.http.host", "127.0.0.1");
    p.setProperty("console.http.port", String.valueOf(consolePort));
    p.setProperty("console.store.url", storeUrl());
    p.setProperty("console.store.username", STORE_ACCOUNT);
    p.setProperty("console.kafka.bootstrap-servers", kafkaBootstrap());
    p.setProperty("console.mqtt.url", serviceMqttUrl());
    String pkg = options.jobSettings().get("city.package");
    p.setProperty(
        pkg == null ? "console.city.seed" : "console.city.package",
        pkg == null ? String.valueOf(options.seed()) : pkg);
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of("CITYBRAIN_CONSOLE_STORE_PASSWORD", new String(storePassword)));
    if (people == null) {
      env.put("CITYBRAIN_CONSOLE_TOKEN", consoleToken);
    } else {
      // People sign in with their own accounts; the console publishes their actions in their names.
      p.setProperty("console.users.file", options.usersFile().toAbsolutePath().toString());
      p.setProperty("console.mqtt.username", CONSOLE_ACCOUNT);
      env.put("CITYBRAIN_CONSOLE_MQTT_PASSWORD", new String(consolePassword));
      env.put("CITYBRAIN_CONSOLE_SESSION_KEY", sessionKey);
    }
    return citybrainProcess(
        "console",
        "console.ops.",
        p,
        io.citybrain.console.ConsoleMain.class.getName(),
        env,
        io.citybrain.console.ConsoleMain.READY);
  }

  /**
   * One of citybrain's own processes, started as the image starts it: {@code main} with its
   * settings in {@code <name>.properties} (kept across restarts), its secrets in the environment,
   * and its /metrics and /health on a loopback port of its own ({@code <opsPrefix>http.port}).
   */
  private ChildProcess citybrainProcess(
      String name,
      String opsPrefix,
      Properties p,
      String main,
      Map<String, String> env,
      String ready)
      throws IOException {
    int ops = FreePorts.resolve(0);
    opsPorts.put(name, ops);
    p.setProperty(opsPrefix + "http.host", "127.0.0.1");
    p.setProperty(opsPrefix + "http.port", String.valueOf(ops));
    Path file = dir.resolve(name + ".properties");
    try (var out = Files.newOutputStream(file)) {
      p.store(out, "written by citybrain cluster");
    }
    return new ChildProcess(
        name,
        java(List.of("-Xmx256m"), System.getProperty("java.class.path"), main, file.toString()),
        env,
        logs.resolve(name + ".log"),
        ChildProcess.Ready.logged(ready),
        Duration.ofSeconds(90));
  }

  // ---- processes

  private List<String> java(
      List<String> jvmOptions, String classpath, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(FLINK_OPENS);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
    cmd.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2-cluster.properties"));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Flink's (and Kafka's) usual opens on Java 17, as in the citybrain script. */
  static final List<String> FLINK_OPENS =
      Stream.of(
              "java.base/java.lang",
              "java.base/java.util",
              "java.base/java.util.concurrent",
              "java.base/java.util.concurrent.atomic",
              "java.base/java.lang.reflect",
              "java.base/java.io",
              "java.base/java.nio",
              "java.base/sun.nio.ch",
              "java.base/java.net",
              "java.base/java.text",
              "java.base/java.time",
              "java.sql/java.sql")
          .map(m -> "--add-opens=" + m + "=ALL-UNNAMED")
          .toList();

  private void writeChildLogConfig() throws IOException {
    Files.createDirectories(dir.resolve("tmp"));
    // Every child writes to its stdout, which the supervisor appends to the child's log file.
    Files.writeString(
        dir.resolve("log4j2-cluster.properties"),
        String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{ISO8601} %-5level [%t] %c - %msg%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = out",
            "logger.kafka.name = kafka",
            "logger.kafka.level = WARN",
            "logger.kafkaclients.name = org.apache.kafka",
            "logger.kafkaclients.level = WARN",
            "logger.pekko.name = org.apache.pekko",
            "logger.pekko.level = WARN",
            ""));
  }

  // ---- where things are

  /**
   * Where devices and people connect (with a users file: with their accounts, their client id their
   * user name).
   */
  public String mqttUrl() {
    return "tcp://127.0.0.1:" + mqttPort;
  }

  /**
   * Where citybrain's own processes connect: the {@link #mqttUrl} of an open city, a listener of
   * their own with accounts.
   */
  public String serviceMqttUrl() {
    return "tcp://127.0.0.1:" + servicePort;
  }

  public String kafkaBootstrap() {
    return kafkaPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** The store's {@code Authorization} header value. */
  public String storeAuthorization() {
    return io.citybrain.embedded.EmbeddedQuestDb.basic(STORE_ACCOUNT, storePassword);
  }

  public String storeUrl() {
    return "http://127.0.0.1:" + storePort;
  }

  public URI flinkUi() {
    return URI.create("http://127.0.0.1:" + flinkPort);
  }

  public Path registry() {
    return registry;
  }

  public ChildProcess mosquitto() {
    return mosquitto;
  }

  public List<ChildProcess> brokers() {
    return List.copyOf(brokers);
  }

  public ChildProcess store() {
    return store;
  }

  public List<ChildProcess> taskManagers() {
    return List.copyOf(taskManagers);
  }

  public List<ChildProcess> bridges() {
    return List.copyOf(bridges);
  }

  /** The console's address (without its token). */
  public URI consoleUrl() {
    return URI.create("http://127.0.0.1:" + consolePort + "/");
  }

  /** The console's token for this start, or null when people sign in (a users file). */
  public String consoleToken() {
    return people == null ? consoleToken : null;
  }

  /** Every process of the cluster, in start order. */
  public List<ChildProcess> processes() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  /**
   * Process name ({@code bridge-1}, {@code dispatch}) → the port of its {@code /metrics} and {@code
   * /health/*}.
   */
  public Map<String, Integer> opsPorts() {
    return Map.copyOf(opsPorts);
  }

  public Map<String, JobID> jobs() {
    synchronized (jobs) {
      return Map.copyOf(jobs);
    }
  }

  /** What a person needs to connect to the cluster, one line each. */
  public List<String> endpoints() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "MQTT broker        "
            + mqttUrl()
            + (people == null
                ? "   (mosquitto; publish city/<domain>/<kind>/<deviceId>)"
                : "   (mosquitto; the accounts of "
                    + options.usersFile()
                    + ", each client's id its user name; citybrain's own"
                    + " processes on "
                    + serviceMqttUrl()
                    + ")"));
    lines.add(
        "Kafka              "
            + kafkaBootstrap()
            + "   ("
            + BROKERS
            + " brokers, KRaft, RF "
            + REPLICATION
            + ", min.insync.replicas "
            + MIN_INSYNC
            + ")");
    lines.add(
        "time-series store  "
            + storeUrl()
            + "   (QuestDB; InfluxDB v2 write API, SQL console; user "
            + STORE_ACCOUNT
            + ", password "
            + new String(storePassword)
            + ", this start's)");
    lines.add(
        "Flink web UI       "
            + flinkUi()
            + "   (JobManager, "
            + TASK_MANAGERS
            + " TaskManagers x "
            + SLOTS
            + " slots; jobs "
            + String.join(", ", jobs().keySet())
            + ")");
    lines.add("bridges            " + BRIDGES + " instances on $share/" + BRIDGE_GROUP + "/city/#");
    lines.add(
        "alert dispatch     1 instance: city.alerts -> city/alerts/community/<id>, city/alerts/district/<code>");
    lines.add(
        people == null
            ? "live console       "
                + consoleUrl()
                + "?token="
                + consoleToken
                + "   (its own process, as on Kubernetes; the token is"
                + " this start's: keep the URL to yourself)"
            : "live console       "
                + consoleUrl()
                + "   (its own process, as on Kubernetes; people sign in with the accounts of "
                + options.usersFile()
                + ")");
    opsPorts.forEach(
        (name, port) ->
            lines.add(
                String.format(
                    "%-18s http://127.0.0.1:%d/metrics   /health/ready   /health/live",
                    name + " ops", port)));
    flinkMetricsPorts.forEach(
        (name, port) ->
            lines.add(
                String.format(
                    "%-18s http://127.0.0.1:%d/metrics   (Flink's reporter: on every"
                        + " interface)",
                    name.replace("flink-", "") + " metrics", port)));
    lines.add("checkpoints        " + dir.resolve("flink").resolve("checkpoints"));
    lines.add("logs               " + logs);
    for (ChildProcess p : processes()) {
      lines.add(String.format("  %-20s pid %-8d %s", p.name(), p.pid(), p.log()));
    }
    return lines;
  }

  /**
   * From now on, reports every part that exits without being stopped (name, exit code, its log's
   * last lines) to {@code report}, and with {@code restart} starts it again as production would
   * ({@link ProcessWatcher}). {@code ./citybrain cluster} restarts; the chaos test, which plays the
   * operator who brings parts back, only collects the reports.
   */
  public synchronized void watch(boolean restart, Consumer<String> report) {
    if (watcher != null) {
      throw new IllegalStateException("the cluster is watched already");
    }
    watcher = ProcessWatcher.start(this::processes, restart, report);
  }

  /**
   * Stops every part in reverse start order (jobs cancelled first), then SIGKILLs anything left of
   * them.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (watcher != null) {
      watcher.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // called from the hook itself
    }
    if (jobManager != null && jobManager.alive()) {
      for (JobID id : jobs().values()) {
        try {
          cancel(id);
        } catch (Exception e) {
          // the cluster goes away anyway; a job that does not cancel is killed with it
        }
      }
    }
    List<ChildProcess> reverse = new ArrayList<>(processes());
    Collections.reverse(reverse);
    for (ChildProcess p : reverse) {
      p.stop(Duration.ofSeconds(20));
    }
    // Whatever a child left behind (stop kills only what outlives its grace period).
    for (ChildProcess p : reverse) {
      p.kill();
    }
  }

  private static void deleteTree(Path d) throws IOException {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
