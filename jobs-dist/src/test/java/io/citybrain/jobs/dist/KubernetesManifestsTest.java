package io.citybrain.jobs.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.citybrain.connectors.dispatch.DispatchMain;
import io.citybrain.connectors.dispatch.DispatchSettings;
import io.citybrain.connectors.kafka.KafkaAccess;
import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.console.ConsoleSettings;
import io.citybrain.contract.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What kubeconform would do if it could run here: every resource that {@code deploy/kubernetes}'s
 * kustomization lists is validated against the committed schema of its kind (schemas/README.md says
 * where each comes from), and a kind without a schema fails. Beyond the schemas: no secret value is
 * written in a manifest, every Kafka topic of contract v1 has a {@code KafkaTopic}, and each job's
 * {@code FlinkDeployment} holds settings the job jar accepts.
 */
class KubernetesManifestsTest {

  static final Path DIR =
      Path.of(System.getProperty("citybrain.kubernetes.dir", "../deploy/kubernetes"));
  static final YAMLMapper YAML = new YAMLMapper();
  static final Map<String, Schema> SCHEMAS = new HashMap<>();
  static final List<Manifest> MANIFESTS = new ArrayList<>();

  /** One YAML document of one file. */
  record Manifest(Path file, JsonNode node) {
    String kind() {
      return node.path("kind").asString();
    }

    String apiVersion() {
      return node.path("apiVersion").asString();
    }

    String name() {
      return node.path("metadata").path("name").asString();
    }

    @Override
    public String toString() {
      return DIR.relativize(file) + ": " + apiVersion() + " " + kind() + " " + name();
    }
  }

  /** Kubernetes built-ins: definitions of the Kubernetes OpenAPI document (schemas/kubernetes). */
  static final Map<String, String> BUILT_INS =
      Map.of(
          "apps/v1 Deployment", "io.k8s.api.apps.v1.Deployment",
          "apps/v1 StatefulSet", "io.k8s.api.apps.v1.StatefulSet",
          "v1 Service", "io.k8s.api.core.v1.Service",
          "v1 ConfigMap", "io.k8s.api.core.v1.ConfigMap",
          "v1 Secret", "io.k8s.api.core.v1.Secret",
          "v1 ServiceAccount", "io.k8s.api.core.v1.ServiceAccount",
          "policy/v1 PodDisruptionBudget", "io.k8s.api.policy.v1.PodDisruptionBudget");

  /** Operators' custom resources: their CRDs' schemas as JSON Schema (schemas/crds). */
  static final Map<String, String> CUSTOM =
      Map.of(
          "flink.apache.org/v1beta1 FlinkDeployment", "flinkdeployment_v1beta1.json",
          "kafka.strimzi.io/v1beta2 Kafka", "kafka_v1beta2.json",
          "kafka.strimzi.io/v1beta2 KafkaNodePool", "kafkanodepool_v1beta2.json",
          "kafka.strimzi.io/v1beta2 KafkaTopic", "kafkatopic_v1beta2.json",
          "kafka.strimzi.io/v1beta2 KafkaUser", "kafkauser_v1beta2.json");

  static JsonNode kubernetesDefinitions;

  @BeforeAll
  static void load() throws IOException {
    kubernetesDefinitions =
        strict(
            YAML.readTree(DIR.resolve("schemas/kubernetes/definitions.json").toFile())
                .get("definitions"));
    for (String resource : resources()) {
      MANIFESTS.addAll(read(DIR.resolve(resource)));
    }
  }

  static List<String> resources() {
    JsonNode k = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
    List<String> out = new ArrayList<>();
    k.path("resources").forEach(r -> out.add(r.asString()));
    return out;
  }

  static List<Manifest> read(Path file) throws IOException {
    List<Manifest> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          out.add(new Manifest(file, doc));
        }
      }
    }
    return out;
  }

  /** The schema of a kind; a kind we have no schema for is an error, not a pass. */
  static Schema schemaFor(String apiVersion, String kind) {
    String key = apiVersion + " " + kind;
    return SCHEMAS.computeIfAbsent(
        key,
        k -> {
          if (BUILT_INS.containsKey(k)) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.set("definitions", kubernetesDefinitions);
            root.putArray("allOf").addObject().put("$ref", "#/definitions/" + BUILT_INS.get(k));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(root);
          }
          if (CUSTOM.containsKey(k)) {
            JsonNode crd = YAML.readTree(DIR.resolve("schemas/crds/" + CUSTOM.get(k)).toFile());
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(crd);
          }
          throw new IllegalArgumentException(
              "no schema for "
                  + k
                  + " in "
                  + DIR.resolve("schemas")
                  + ": add one (and its source to schemas/README.md) before using this kind");
        });
  }

  static List<String> errors(Manifest m) {
    return schemaFor(m.apiVersion(), m.kind()).validate(m.node()).stream()
        .map(Error::toString)
        .toList();
  }

  /**
   * The Kubernetes OpenAPI document leaves objects open and types int-or-string and quantities as
   * strings; the API server is stricter. As kubeconform's strict schemas do: an object with listed
   * properties accepts no others (a misspelt field fails), and int-or-string / quantity accept
   * both.
   */
  static JsonNode strict(JsonNode definitions) {
    ObjectNode defs = (ObjectNode) definitions.deepCopy();
    ObjectNode intOrString = JsonNodeFactory.instance.objectNode();
    intOrString.putArray("type").add("string").add("integer");
    defs.set("io.k8s.apimachinery.pkg.util.intstr.IntOrString", intOrString);
    ObjectNode quantity = JsonNodeFactory.instance.objectNode();
    quantity.putArray("type").add("string").add("number");
    defs.set("io.k8s.apimachinery.pkg.api.resource.Quantity", quantity);
    closeObjects(defs, true);
    return defs;
  }

  private static void closeObjects(JsonNode node, boolean isDefinitionMap) {
    if (node instanceof ObjectNode o) {
      if (!isDefinitionMap && o.has("properties") && !o.has("additionalProperties")) {
        o.put("additionalProperties", false);
      }
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        // Inside "properties" the keys are field names, not schema keywords.
        closeObjects(e.getValue(), e.getKey().equals("properties"));
      }
    } else if (node != null && node.isArray()) {
      node.forEach(n -> closeObjects(n, false));
    }
  }

  @Test
  void everyResourceIsValidAgainstTheSchemaOfItsKind() {
    assertThat(MANIFESTS).hasSizeGreaterThan(15);
    Map<String, List<String>> invalid = new LinkedHashMap<>();
    for (Manifest m : MANIFESTS) {
      List<String> errors = errors(m);
      if (!errors.isEmpty()) {
        invalid.put(m.toString(), errors);
      }
    }
    assertThat(invalid).as("schema violations").isEmpty();
  }

  @Test
  void everyYamlFileIsListedInTheKustomization() throws IOException {
    Set<String> listed = new TreeSet<>(resources());
    try (Stream<Path> files = Files.walk(DIR)) {
      List<String> yaml =
          files
              .filter(p -> p.toString().endsWith(".yaml"))
              .map(p -> DIR.relativize(p).toString().replace('\\', '/'))
              .filter(
                  p ->
                      !p.equals("kustomization.yaml")
                          && !p.startsWith("schemas/")
                          && !p.startsWith("secrets/"))
              .toList();
      assertThat(listed).containsAll(yaml);
    }
  }

  @Test
  void aKindWithoutASchemaFails() {
    assertThatThrownBy(() -> schemaFor("networking.k8s.io/v1", "Ingress"))
        .hasMessageContaining("no schema for networking.k8s.io/v1 Ingress");
  }

  @Test
  void brokenManifestsFail() {
    Manifest bridge = find("StatefulSet", "bridge");
    assertThat(errors(bridge)).isEmpty();
    assertThat(errors(with(bridge, "/spec", "replicas", "three")))
        .anyMatch(e -> e.contains("replicas"));
    assertThat(errors(with(bridge, "/spec", "replica", 3)))
        .as("a misspelt field")
        .anyMatch(e -> e.contains("replica"));
    ObjectNode noName = (ObjectNode) bridge.node().deepCopy();
    ((ObjectNode) noName.at("/spec/template/spec/containers/0")).remove("name");
    assertThat(errors(new Manifest(bridge.file(), noName))).anyMatch(e -> e.contains("name"));

    Manifest traffic = find("FlinkDeployment", "citybrain-traffic");
    assertThat(errors(with(traffic, "/spec/job", "upgradeMode", "sometimes")))
        .anyMatch(e -> e.contains("upgradeMode"));
    assertThat(errors(with(traffic, "/spec", "flinkVersion", "v0_9")))
        .anyMatch(e -> e.contains("flinkVersion"));
    assertThat(errors(with(traffic, "/spec/job", "upgradeMod", "savepoint")))
        .as("a misspelt field")
        .anyMatch(e -> e.contains("upgradeMod"));

    Manifest topic = find("KafkaTopic", "city-alerts");
    assertThat(errors(with(topic, "/spec", "partitions", "many")))
        .anyMatch(e -> e.contains("partitions"));
  }

  private static Manifest with(Manifest m, String at, String field, Object value) {
    ObjectNode copy = (ObjectNode) m.node().deepCopy();
    ObjectNode target = (ObjectNode) copy.at(at);
    if (value instanceof Integer i) {
      target.put(field, i);
    } else {
      target.put(field, (String) value);
    }
    return new Manifest(m.file(), copy);
  }

  static Manifest find(String kind, String name) {
    return MANIFESTS.stream()
        .filter(m -> m.kind().equals(kind) && m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|passwd|token|secret|access[-_.]?key|credential).*");

  @Test
  void noManifestHoldsASecretValue() {
    assertThat(MANIFESTS).noneMatch(m -> m.kind().equals("Secret"));
    List<String> inline = new ArrayList<>();
    for (Manifest m : MANIFESTS) {
      m.node()
          .findParents("env")
          .forEach(
              parent ->
                  parent
                      .path("env")
                      .forEach(
                          env -> {
                            if (SECRET_NAME.matcher(env.path("name").asString()).matches()
                                && !env.has("valueFrom")) {
                              inline.add(m + ": env " + env.path("name").asString());
                            }
                          }));
      m.node()
          .path("spec")
          .path("flinkConfiguration")
          .properties()
          .forEach(
              e -> {
                if (SECRET_NAME.matcher(e.getKey()).matches()) {
                  inline.add(m + ": flinkConfiguration " + e.getKey());
                }
              });
      m.node()
          .path("spec")
          .path("job")
          .path("args")
          .forEach(
              a -> {
                if (SECRET_NAME.matcher(a.asString()).matches()) {
                  inline.add(m + ": job argument " + a.asString());
                }
              });
      m.node()
          .findValues("args")
          .forEach(
              args ->
                  args.forEach(
                      a -> {
                        if (a.asString().startsWith("-D")
                            && SECRET_NAME.matcher(a.asString().split("=")[0]).matches()) {
                          inline.add(m + ": " + a.asString().split("=")[0]);
                        }
                      }));
    }
    assertThat(inline).as("secret values written in manifests").isEmpty();
  }

  @Test
  void theSecretTemplatesHoldPlaceholdersOnly() throws IOException {
    List<Path> templates;
    try (Stream<Path> files = Files.list(DIR.resolve("secrets"))) {
      templates = files.filter(p -> p.toString().endsWith(".example")).toList();
    }
    assertThat(templates).isNotEmpty();
    for (Path t : templates) {
      for (Manifest m : read(t)) {
        assertThat(m.kind()).isEqualTo("Secret");
        assertThat(errors(m)).as(m.toString()).isEmpty();
        m.node()
            .path("stringData")
            .properties()
            .forEach(
                e -> {
                  if (SECRET_NAME.matcher(e.getKey()).matches()) {
                    assertThat(e.getValue().asString()).as(m + " " + e.getKey()).contains("<");
                  }
                });
      }
    }
  }

  @Test
  void everyContractTopicHasAReplicatedKafkaTopic() {
    Map<String, JsonNode> topics = new HashMap<>();
    MANIFESTS.stream()
        .filter(m -> m.kind().equals("KafkaTopic"))
        .forEach(
            m ->
                topics.put(
                    m.node().path("spec").path("topicName").asString(), m.node().path("spec")));

    assertThat(topics.keySet()).containsAll(Topics.ALL);
    topics.forEach(
        (name, spec) -> {
          Topics.configOf(name)
              .forEach(
                  (key, value) ->
                      assertThat(spec.path("config").path(key).asText())
                          .as("%s of %s, as Topics.configOf", key, name)
                          .isEqualTo(value));
          assertThat(spec.path("replicas").asInt()).as(name).isEqualTo(3);
          assertThat(spec.path("config").path("min.insync.replicas").asInt()).as(name).isEqualTo(2);
        });
    JsonNode kafka = find("Kafka", "citybrain").node().path("spec").path("kafka");
    assertThat(kafka.path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
    assertThat(kafka.path("config").path("default.replication.factor").asInt()).isEqualTo(3);
    assertThat(find("KafkaNodePool", "combined").node().path("spec").path("replicas").asInt())
        .isEqualTo(3);
  }

  /** Every job task reads every layer in order, and the latest of each layer is never deleted. */
  @Test
  void theGeographyTopicHasOnePartitionIsCompactedAndTakesLargeLayers() {
    JsonNode spec = find("KafkaTopic", "city-geography").node().path("spec");
    assertThat(spec.path("topicName").asString()).isEqualTo(Topics.GEOGRAPHY);
    assertThat(spec.path("partitions").asInt()).isEqualTo(1);
    assertThat(spec.path("config").path("cleanup.policy").asString()).isEqualTo("compact");
    assertThat(spec.path("config").path("max.message.bytes").asInt())
        .isEqualTo(Topics.GEOGRAPHY_MAX_BYTES);
  }

  /**
   * The FlinkDeployment's settings go through the jar's own parsing: a value it refuses fails here.
   */
  @Test
  void eachJobHasAFlinkDeploymentWhoseSettingsTheJarAccepts() {
    for (CityJobs.Job job : CityJobs.Job.values()) {
      String name = job.name().toLowerCase(Locale.ROOT);
      JsonNode spec = find("FlinkDeployment", "citybrain-" + name).node().path("spec");
      JsonNode conf = spec.path("flinkConfiguration");

      assertThat(spec.path("job").path("upgradeMode").asString()).isEqualTo("savepoint");
      assertThat(spec.path("job").path("entryClass").asString())
          .isEqualTo(CityJobs.class.getName());
      assertThat(conf.path("state.backend.type").asString()).isEqualTo("rocksdb");
      assertThat(conf.path("high-availability.type").asString()).isEqualTo("kubernetes");
      assertThat(conf.path("high-availability.storageDir").asString()).startsWith("s3://");
      assertThat(conf.path("execution.checkpointing.dir").asString()).startsWith("s3://");
      assertThat(conf.path("execution.checkpointing.savepoint-dir").asString()).startsWith("s3://");
      // Issue 21: Flink's Prometheus reporter, and its port annotated for scraping.
      assertThat(conf.path("metrics.reporter.prom.factory.class").asString())
          .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      assertThat(
              spec.path("podTemplate")
                  .path("metadata")
                  .path("annotations")
                  .path("prometheus.io/port")
                  .asString())
          .isEqualTo(conf.path("metrics.reporter.prom.port").asString())
          .isNotEmpty();

      JsonNode pod = spec.path("podTemplate").path("spec");
      Configuration c = new Configuration();
      conf.properties()
          .forEach(
              e ->
                  c.setString(
                      e.getKey(),
                      e.getKey().endsWith("kafka.ssl.truststore.location")
                          ? mountedTruststore(
                              e.getValue().asString(), pod, pod.path("containers").get(0))
                          : e.getValue().asString()));
      Map<String, String> environment = kafkaEnvironment(pod.path("containers").get(0));
      environment.put(CityJobs.TOKEN_ENV, "from-the-secret");
      c.setString("parallelism.default", spec.path("job").path("parallelism").asString());
      List<String> args = new ArrayList<>();
      spec.path("job").path("args").forEach(a -> args.add(a.asString()));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);

      assertThat(CityJobs.plan(env, args.toArray(String[]::new), environment)).isEqualTo(job);
      assertThat(env.getParallelism()).isEqualTo(spec.path("job").path("parallelism").asInt());
    }
  }

  /**
   * Issue 20: the bridge takes acknowledgements only from the people of the users file the console
   * signs in.
   */
  @Test
  void theBridgeAndTheConsoleReadTheSameUsersFile() {
    java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
    for (Manifest m : List.of(find("StatefulSet", "bridge"), find("Deployment", "console"))) {
      JsonNode pod = m.node().at("/spec/template/spec");
      JsonNode container = pod.path("containers").get(0);
      container
          .path("args")
          .forEach(
              a -> {
                String arg = a.asString();
                if (arg.startsWith("-Dbridge.users.file=")
                    || arg.startsWith("-Dconsole.users.file=")) {
                  String location = arg.substring(arg.indexOf('=') + 1);
                  mountedUsersFile(location, pod, container);
                  files.put(m.name(), location);
                }
              });
    }
    assertThat(files).containsOnlyKeys("bridge", "console");
    assertThat(files.get("bridge")).isEqualTo(files.get("console"));
  }

  /**
   * A misspelt key in the manifest would leave its setting at the default: BridgeMain refuses it.
   */
  @Test
  void theBridgeIsGivenOnlyKeysItReads() {
    Properties p = new Properties();
    find("StatefulSet", "bridge")
        .node()
        .at("/spec/template/spec/containers/0/args")
        .forEach(
            a -> {
              String arg = a.asString();
              if (arg.startsWith("-Dbridge.")) {
                String[] kv = arg.substring(2).split("=", 2);
                p.setProperty(kv[0], kv[1]);
              }
            });
    assertThat(p).containsKeys("bridge.mqtt.url", "bridge.kafka.bootstrap-servers");
    io.citybrain.connectors.bridge.BridgeMain.refuseUnknown(p);
  }

  @Test
  void theBridgeRunsSeveralInstancesUnderADisruptionBudget() {
    JsonNode bridge = find("StatefulSet", "bridge").node().path("spec");
    JsonNode pdb = find("PodDisruptionBudget", "bridge").node().path("spec");
    assertThat(bridge.path("replicas").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(pdb.path("selector").path("matchLabels"))
        .isEqualTo(bridge.path("selector").path("matchLabels"));
    assertThat(pdb.path("maxUnavailable").asInt()).isLessThan(bridge.path("replicas").asInt());
  }

  /**
   * Issue 21: the bridge, dispatch and the console are probed and scraped on the port their mains
   * serve by default.
   */
  @Test
  void theBridgeDispatchAndTheConsoleAreProbedAndScrapedOnTheirOpsPort() {
    Map<String, Integer> defaults = Map.of("bridge", 9400, "dispatch", 9401, "console", 9402);
    for (Manifest m :
        List.of(
            find("StatefulSet", "bridge"),
            find("Deployment", "dispatch"),
            find("Deployment", "console"))) {
      JsonNode template = m.node().path("spec").path("template");
      JsonNode container = template.path("spec").path("containers").get(0);
      int port = -1;
      for (JsonNode p : container.path("ports")) {
        if ("ops".equals(p.path("name").asString())) {
          port = p.path("containerPort").asInt();
        }
      }
      assertThat(port).as(m + " ops port").isEqualTo(defaults.get(m.name()));
      assertThat(container.path("readinessProbe").path("httpGet").path("path").asString())
          .as(m.toString())
          .isEqualTo("/health/ready");
      assertThat(container.path("readinessProbe").path("httpGet").path("port").asString())
          .isEqualTo("ops");
      assertThat(container.path("livenessProbe").path("httpGet").path("path").asString())
          .as(m.toString())
          .isEqualTo("/health/live");
      assertThat(
              template.path("metadata").path("annotations").path("prometheus.io/port").asString())
          .isEqualTo(String.valueOf(port));
    }
  }

  @Test
  void alertDispatchRunsSeveralReplicasWithSettingsDispatchMainAccepts() {
    JsonNode dispatch = find("Deployment", "dispatch").node().path("spec");
    JsonNode pdb = find("PodDisruptionBudget", "dispatch").node().path("spec");
    assertThat(dispatch.path("replicas").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(pdb.path("selector").path("matchLabels"))
        .isEqualTo(dispatch.path("selector").path("matchLabels"));
    JsonNode container = dispatch.path("template").path("spec").path("containers").get(0);
    Properties p = new Properties();
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asString()));
    assertThat(args).last().isEqualTo(DispatchMain.class.getName());
    args.stream()
        .filter(a -> a.startsWith("-Ddispatch."))
        .forEach(
            a -> {
              String[] kv = a.substring(2).split("=", 2);
              p.setProperty(
                  kv[0],
                  kv[0].endsWith("kafka.ssl.truststore.location")
                      ? mountedTruststore(kv[1], dispatch.path("template").path("spec"), container)
                      : kv[0].equals(DispatchSettings.CHANNELS_FILE_KEY)
                          ? mountedChannels(
                              kv[1], dispatch.path("template").path("spec"), container)
                          : kv[1]);
            });
    assertThat(p).containsKey(DispatchSettings.CHANNELS_FILE_KEY);
    // What the Secrets give through the environment.
    p.setProperty("dispatch.mqtt.password", "from-the-secret");
    p.setProperty("dispatch.influx.token", "from-the-secret");
    List<String> env = new ArrayList<>();
    container.path("env").forEach(e -> env.add(e.path("name").asString()));
    assertThat(env).contains("CITYBRAIN_DISPATCH_MQTT_PASSWORD", "CITYBRAIN_INFLUX_TOKEN");
    DispatchMain.refuseUnknown(p);
    DispatchSettings settings = DispatchSettings.fromProperties(p, kafkaEnvironment(container));
    assertThat(settings.store()).isNotNull();
    assertThat(settings.kafkaSecurity().protocol()).isEqualTo(SecurityProtocol.SASL_SSL);
  }

  /**
   * Issue 20: the console runs as a service with settings ConsoleMain accepts (every key known, the
   * store through InfluxQL with a read token, Kafka over SASL_SSL, MQTT on the services' listener,
   * a token from a Secret), behind a Service on its HTTP port, under a disruption budget.
   */
  @Test
  void theConsoleRunsAsAServiceWithSettingsConsoleMainAccepts() throws Exception {
    JsonNode console = find("Deployment", "console").node().path("spec");
    JsonNode container = console.path("template").path("spec").path("containers").get(0);
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asString()));
    assertThat(args).last().isEqualTo(io.citybrain.console.ConsoleMain.class.getName());
    Properties p = new Properties();
    args.stream()
        .filter(a -> a.startsWith("-Dconsole."))
        .forEach(
            a -> {
              String[] kv = a.substring(2).split("=", 2);
              p.setProperty(
                  kv[0],
                  kv[0].endsWith("kafka.ssl.truststore.location")
                      ? mountedTruststore(kv[1], console.path("template").path("spec"), container)
                      : kv[0].equals("console.users.file")
                          ? mountedUsersFile(
                              kv[1], console.path("template").path("spec"), container)
                          : kv[1]);
            });
    List<String> env = new ArrayList<>();
    container.path("env").forEach(e -> env.add(e.path("name").asString()));
    assertThat(env)
        .contains(
            "CITYBRAIN_CONSOLE_SESSION_KEY",
            "CITYBRAIN_CONSOLE_MQTT_PASSWORD",
            "CITYBRAIN_CONSOLE_STORE_TOKEN")
        .doesNotContain("CITYBRAIN_CONSOLE_TOKEN");
    // What the Secrets give through the environment.
    Map<String, String> secrets = new HashMap<>(kafkaEnvironment(container));
    secrets.putAll(
        Map.of(
            "CITYBRAIN_CONSOLE_SESSION_KEY",
            "from-the-secret-0123456789-0123456789",
            "CITYBRAIN_CONSOLE_MQTT_PASSWORD",
            "pw",
            "CITYBRAIN_CONSOLE_STORE_TOKEN",
            "read-token"));
    ConsoleSettings.SECRETS.forEach(
        (variable, key) -> {
          if (secrets.containsKey(variable)) {
            p.setProperty(key, secrets.get(variable));
          }
        });
    ConsoleSettings settings = ConsoleSettings.fromProperties(p, secrets);
    assertThat(settings.host()).isEqualTo("0.0.0.0");
    assertThat(settings.store().dialect()).isEqualTo(ConsoleSettings.Dialect.INFLUXQL);
    assertThat(settings.store().url()).isEqualTo("http://influxdb:8086");
    assertThat(settings.kafkaSecurity().protocol()).isEqualTo(SecurityProtocol.SASL_SSL);
    assertThat(settings.mqttUrl()).isEqualTo("tcp://mosquitto:1884");
    // People sign in (issue 20): the users file, not a shared token.
    assertThat(settings.token()).isNull();
    assertThat(settings.usersFile()).isNotNull();
    assertThat(settings.sessionKey()).isNotNull();
    // The map is the jobs' city.
    assertThat(p.getProperty("console.city.seed"))
        .isEqualTo(
            find("FlinkDeployment", "citybrain-traffic")
                .node()
                .at("/spec/flinkConfiguration")
                .path("citybrain.city.seed")
                .asString());

    int http = -1;
    for (JsonNode port : container.path("ports")) {
      if ("http".equals(port.path("name").asString())) {
        http = port.path("containerPort").asInt();
      }
    }
    assertThat(http).isEqualTo(settings.port());
    JsonNode service = find("Service", "console").node().path("spec");
    assertThat(service.path("selector")).isEqualTo(console.path("selector").path("matchLabels"));
    assertThat(service.path("ports").get(0).path("targetPort").asString()).isEqualTo("http");
    // The Service's own names are the ones the console answers to (it refuses any other Host).
    assertThat(settings.hosts()).contains("console", "console.citybrain.svc.cluster.local");
    assertThat(service.path("ports").get(0).path("port").asInt()).isEqualTo(settings.port());
    JsonNode pdb = find("PodDisruptionBudget", "console").node().path("spec");
    assertThat(pdb.path("selector").path("matchLabels"))
        .isEqualTo(console.path("selector").path("matchLabels"));
    assertThat(kafkaUserOf(container)).isEqualTo(KafkaAccess.Client.CONSOLE.user());
  }

  /**
   * The Kafka listener requires SCRAM-SHA-512 over TLS, so every client of it (the bridge, alert
   * dispatch, the console, the three jobs) says SASL_SSL and SCRAM-SHA-512 on port 9093, and takes
   * its user name and the password from the Secret of a KafkaUser of this kustomization.
   */
  @Test
  void everyKafkaClientAuthenticatesAsAKafkaUserOverTheTlsListener() {
    JsonNode listeners =
        find("Kafka", "citybrain").node().path("spec").path("kafka").path("listeners");
    assertThat(listeners)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.path("tls").asBoolean())
                  .as("listener %s has TLS", l.path("name").asString())
                  .isTrue();
              assertThat(l.path("authentication").path("type").asString())
                  .isEqualTo("scram-sha-512");
              assertThat(l.path("port").asInt()).isEqualTo(9093);
            });
    Set<String> users = new TreeSet<>();
    MANIFESTS.stream()
        .filter(m -> m.kind().equals("KafkaUser"))
        .forEach(
            m -> {
              assertThat(m.node().path("spec").path("authentication").path("type").asString())
                  .isEqualTo("scram-sha-512");
              assertThat(
                      m.node()
                          .path("metadata")
                          .path("labels")
                          .path("strimzi.io/cluster")
                          .asString())
                  .isEqualTo("citybrain");
              users.add(m.name());
            });

    Map<String, Map<String, String>> clients = new LinkedHashMap<>();
    for (String workload :
        List.of("StatefulSet bridge", "Deployment dispatch", "Deployment console")) {
      String[] kindName = workload.split(" ");
      JsonNode container =
          find(kindName[0], kindName[1]).node().at("/spec/template/spec/containers/0");
      Map<String, String> settings = new HashMap<>();
      container
          .path("args")
          .forEach(
              a -> {
                if (a.asString().startsWith("-D" + kindName[1] + ".kafka.")) {
                  String[] kv = a.asString().substring(2 + kindName[1].length() + 1).split("=", 2);
                  settings.put(kv[0], kv[1]);
                }
              });
      clients.put(workload, withUser(settings, container));
    }
    for (CityJobs.Job job : CityJobs.Job.values()) {
      JsonNode spec =
          find("FlinkDeployment", "citybrain-" + job.name().toLowerCase(Locale.ROOT))
              .node()
              .path("spec");
      Map<String, String> settings = new HashMap<>();
      spec.path("flinkConfiguration")
          .properties()
          .forEach(
              e -> {
                if (e.getKey().startsWith(CityJobs.CONFIG_PREFIX + "kafka.")) {
                  settings.put(
                      e.getKey().substring(CityJobs.CONFIG_PREFIX.length()),
                      e.getValue().asString());
                }
              });
      clients.put(
          "FlinkDeployment " + job, withUser(settings, spec.at("/podTemplate/spec/containers/0")));
    }
    clients.forEach(
        (client, settings) -> {
          assertThat(settings)
              .as(client)
              .containsEntry(KafkaSecurity.PROTOCOL, "SASL_SSL")
              .containsEntry(KafkaSecurity.MECHANISM, "SCRAM-SHA-512")
              .containsEntry("kafka.bootstrap-servers", "citybrain-kafka-bootstrap:9093")
              .containsKey(KafkaSecurity.TRUSTSTORE_LOCATION);
          assertThat(users).as(client + ": its user is a KafkaUser").contains(settings.get("user"));
          assertThat(settings.get("password-secret"))
              .as(client + ": its password is its KafkaUser's")
              .isEqualTo(settings.get("user") + "/password");
        });
  }

  /**
   * Issue 21: the Kafka authorizes, and each KafkaUser holds exactly the grants of {@link
   * KafkaAccess} for its kind of client (which KafkaSecurityITCase runs the bridge and a job
   * under); each workload connects as the user of its kind.
   */
  @Test
  void kafkaAuthorizesAndEveryUserHasExactlyTheGrantsOfItsKindOfClient() {
    assertThat(find("Kafka", "citybrain").node().at("/spec/kafka/authorization/type").asString())
        .isEqualTo("simple");
    Set<String> users = new TreeSet<>();
    MANIFESTS.stream().filter(m -> m.kind().equals("KafkaUser")).forEach(m -> users.add(m.name()));
    assertThat(users)
        .isEqualTo(
            new TreeSet<>(
                Stream.of(KafkaAccess.Client.values()).map(KafkaAccess.Client::user).toList()));
    for (KafkaAccess.Client client : KafkaAccess.Client.values()) {
      JsonNode authorization =
          find("KafkaUser", client.user()).node().path("spec").path("authorization");
      assertThat(authorization.path("type").asString()).isEqualTo("simple");
      Set<String> declared = new TreeSet<>();
      authorization
          .path("acls")
          .forEach(
              acl -> {
                assertThat(acl.path("type").asString("allow")).isEqualTo("allow");
                assertThat(acl.path("host").asString("*")).isEqualTo("*");
                acl.path("operations")
                    .forEach(
                        op ->
                            declared.add(
                                acl.at("/resource/type").asString()
                                    + " "
                                    + acl.at("/resource/name").asString()
                                    + " "
                                    + acl.at("/resource/patternType").asString("literal")
                                    + " "
                                    + op.asString()));
              });
      Set<String> granted = new TreeSet<>();
      for (KafkaAccess.Grant g : KafkaAccess.grants(client)) {
        String pattern =
            g.pattern() == org.apache.kafka.common.resource.PatternType.PREFIXED
                ? "prefix"
                : "literal";
        g.operations()
            .forEach(
                op ->
                    granted.add(
                        g.type().name().toLowerCase(Locale.ROOT)
                            + " "
                            + g.name()
                            + " "
                            + pattern
                            + " "
                            + op.name().charAt(0)
                            + op.name().substring(1).toLowerCase(Locale.ROOT)));
      }
      assertThat(declared).as(client.user()).isEqualTo(granted);
    }
    assertThat(
            kafkaUserOf(
                find("StatefulSet", "bridge").node().at("/spec/template/spec/containers/0")))
        .isEqualTo(KafkaAccess.Client.BRIDGE.user());
    assertThat(
            kafkaUserOf(
                find("Deployment", "dispatch").node().at("/spec/template/spec/containers/0")))
        .isEqualTo(KafkaAccess.Client.DISPATCH.user());
    assertThat(
            kafkaUserOf(
                find("Deployment", "console").node().at("/spec/template/spec/containers/0")))
        .isEqualTo(KafkaAccess.Client.CONSOLE.user());
    for (CityJobs.Job job : CityJobs.Job.values()) {
      JsonNode container =
          find("FlinkDeployment", "citybrain-" + job.name().toLowerCase(Locale.ROOT))
              .node()
              .at("/spec/podTemplate/spec/containers/0");
      assertThat(kafkaUserOf(container)).as(job.name()).isEqualTo(KafkaAccess.Client.JOBS.user());
    }
  }

  /**
   * Issue 21: broker metrics through the JMX exporter's rules, and consumer lag of every citybrain
   * group on every contract topic.
   */
  @Test
  void kafkaExportsBrokerMetricsAndTheLagOfEveryCitybrainGroup() {
    JsonNode spec = find("Kafka", "citybrain").node().path("spec");
    JsonNode ref = spec.at("/kafka/metricsConfig/valueFrom/configMapKeyRef");
    assertThat(spec.at("/kafka/metricsConfig/type").asString()).isEqualTo("jmxPrometheusExporter");
    String rules =
        find("ConfigMap", ref.path("name").asString())
            .node()
            .path("data")
            .path(ref.path("key").asString())
            .asString();
    assertThat(YAML.readTree(rules).path("rules")).as("the exporter's rules").isNotEmpty();
    Pattern topics = Pattern.compile(spec.at("/kafkaExporter/topicRegex").asString());
    Pattern groups = Pattern.compile(spec.at("/kafkaExporter/groupRegex").asString());
    assertThat(Topics.ALL).allMatch(t -> topics.matcher(t).matches());
    assertThat(
            Stream.concat(
                KafkaAccess.JOB_GROUP_PREFIXES.stream().map(g -> g + "-geography"),
                Stream.of(KafkaAccess.DISPATCH_GROUP)))
        .allMatch(g -> groups.matcher(g).matches());
  }

  private static String kafkaUserOf(JsonNode container) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asString().equals(KafkaSecurity.USERNAME_ENV)) {
        return e.path("value").asString();
      }
    }
    return null;
  }

  /**
   * The client's settings plus {@code user} (its username) and {@code password-secret} (secret/key
   * of its password).
   */
  private static Map<String, String> withUser(Map<String, String> settings, JsonNode container) {
    container
        .path("env")
        .forEach(
            e -> {
              if (e.path("name").asString().equals(KafkaSecurity.USERNAME_ENV)) {
                settings.put("user", e.path("value").asString());
              }
              if (e.path("name").asString().equals(KafkaSecurity.PASSWORD_ENV)) {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                settings.put(
                    "password-secret",
                    ref.path("name").asString() + "/" + ref.path("key").asString());
              }
            });
    return settings;
  }

  /**
   * The Kafka variables of a container: plain values as written, Secret references as a stand-in
   * value.
   */
  static Map<String, String> kafkaEnvironment(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    container
        .path("env")
        .forEach(
            e -> {
              String name = e.path("name").asString();
              if (name.startsWith("CITYBRAIN_KAFKA_")) {
                env.put(name, e.has("valueFrom") ? "from-the-secret" : e.path("value").asString());
              }
            });
    return env;
  }

  /**
   * Checks that a truststore location lies in a volume the container mounts from the Strimzi
   * cluster CA's Secret, under the item the file is named after; returns a stand-in file for this
   * JVM (the settings check that the file exists).
   */
  /**
   * The users file where the pod mounts the citybrain-users Secret; a stand-in file for the
   * settings' check.
   */
  static String mountedUsersFile(String location, JsonNode podSpec, JsonNode container) {
    assertThat(mountedSecret(location, podSpec, container).secret().path("secretName").asString())
        .isEqualTo("citybrain-users");
    return standIn("users", ".csv");
  }

  static String mountedTruststore(String location, JsonNode podSpec, JsonNode container) {
    Mounted m = mountedSecret(location, podSpec, container);
    assertThat(m.secret().path("secretName").asString()).isEqualTo("citybrain-cluster-ca-cert");
    List<String> items = new ArrayList<>();
    m.secret()
        .path("items")
        .forEach(i -> items.add(i.path("key").asString() + "->" + i.path("path").asString()));
    assertThat(items).contains("ca.p12->" + m.file());
    return standIn("cluster-ca", ".p12");
  }

  /**
   * The channels file where the pod mounts the citybrain-dispatch-channels Secret; a stand-in with
   * no channel.
   */
  static String mountedChannels(String location, JsonNode podSpec, JsonNode container) {
    assertThat(mountedSecret(location, podSpec, container).secret().path("secretName").asString())
        .isEqualTo("citybrain-dispatch-channels");
    String file = standIn("channels", ".json");
    try {
      Files.writeString(Path.of(file), "[]");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  /** A Secret volume of the pod, and the file's path inside it. */
  record Mounted(JsonNode secret, String file) {}

  /** The Secret volume the container mounts where {@code location} is. */
  static Mounted mountedSecret(String location, JsonNode podSpec, JsonNode container) {
    JsonNode mount = null;
    for (JsonNode m : container.path("volumeMounts")) {
      if (location.startsWith(m.path("mountPath").asString() + "/")) {
        mount = m;
      }
    }
    assertThat(mount).as("a volume mounted where " + location + " is").isNotNull();
    String volume = mount.path("name").asString();
    JsonNode secret = null;
    for (JsonNode v : podSpec.path("volumes")) {
      if (v.path("name").asString().equals(volume)) {
        secret = v.path("secret");
      }
    }
    assertThat(secret).as("volume " + volume).isNotNull();
    return new Mounted(secret, location.substring(mount.path("mountPath").asString().length() + 1));
  }

  private static String standIn(String prefix, String suffix) {
    try {
      Path standIn = Files.createTempFile(prefix, suffix);
      standIn.toFile().deleteOnExit();
      return standIn.toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void grafanaIsProvisionedFromTheFilesOfDeployGrafana() {
    JsonNode k = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
    List<String> files = new ArrayList<>();
    k.path("configMapGenerator")
        .forEach(g -> g.path("files").forEach(f -> files.add(f.asString())));
    assertThat(files).isNotEmpty().allMatch(f -> f.startsWith("../grafana/"));
    // The dashboards are written on their own branch; once deploy/grafana is here, every file must
    // be.
    assumeTrue(
        Files.isDirectory(DIR.resolve("../grafana")), "deploy/grafana is not in this tree yet");
    assertThat(files).allMatch(f -> Files.isRegularFile(DIR.resolve(f)), "an existing file");
  }
}
