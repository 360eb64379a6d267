package io.citybrain.jobs.dist;

import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.emergency.EmergencyJob;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.jobs.traffic.GeoSegmentMatcher;
import io.citybrain.jobs.traffic.TrafficJob;
import io.citybrain.jobs.utility.UtilityJob;
import io.citybrain.jobs.utility.UtilitySettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * The entry point of the production jar: {@code --job traffic|utility|emergency} and the job's
 * settings as {@code --key value} arguments (the keys of {@link JobSettings}, {@link
 * UtilitySettings}, {@link EmergencySettings}, and for the traffic job {@value
 * GeoSegmentMatcher#REGISTRY_KEY}, the device registry that names the loop detectors' segments).
 *
 * <p>Each key may also come from the Flink configuration as {@code citybrain.<key>}, so a {@code
 * FlinkDeployment} or a session cluster's config file can hold the settings; a program argument
 * wins over the configuration. The store's token is the one secret: when neither gives {@code
 * influx.token}, it is read from the environment variable {@value #TOKEN_ENV}, which a pod fills
 * from a Kubernetes Secret, so it never appears in a manifest or in the job's arguments; so are
 * Kafka's secrets ({@code CITYBRAIN_KAFKA_SASL_PASSWORD} and the others of {@link
 * io.citybrain.connectors.kafka.KafkaSecurity}), which are never taken from a key at all. Without
 * {@code parallelism} the job takes the cluster's {@code parallelism.default}.
 *
 * <p>Everything is validated before a single operator exists: a wrong value stops the submission
 * with a message naming its key.
 */
public final class CityJobs {

  public static final String JOB_KEY = "job";

  /** Prefix of citybrain's keys inside the Flink configuration. */
  public static final String CONFIG_PREFIX = "citybrain.";

  public static final String TOKEN_ENV = "CITYBRAIN_INFLUX_TOKEN";

  /**
   * Every key the jar reads besides {@link JobSettings#KEYS}: the jar knows all three jobs, so a
   * key none of them reads stops the submission, even another job's misspelt one.
   */
  static final List<String> KEYS =
      java.util.stream.Stream.of(
              List.of(JOB_KEY, GeoSegmentMatcher.REGISTRY_KEY),
              EmergencySettings.KEYS,
              UtilitySettings.KEYS)
          .flatMap(List::stream)
          .toList();

  static final List<String> PREFIXES = List.of(EmergencySettings.TICKET_DEADLINE_PREFIX);

  private CityJobs() {}

  /** The jobs this jar runs; the argument is the lower-case name. */
  public enum Job {
    TRAFFIC(TrafficJob.NAME),
    UTILITY(UtilityJob.NAME),
    EMERGENCY(EmergencyJob.NAME);

    private final String flinkName;

    Job(String flinkName) {
      this.flinkName = flinkName;
    }

    public String flinkName() {
      return flinkName;
    }

    static Job of(String value) {
      if (value == null) {
        throw new IllegalArgumentException(
            "--" + JOB_KEY + " must be set to one of traffic, utility, emergency");
      }
      for (Job j : values()) {
        if (j.name().toLowerCase(Locale.ROOT).equals(value)) {
          return j;
        }
      }
      throw new IllegalArgumentException(
          JOB_KEY + " must be one of traffic, utility, emergency, got '" + value + "'");
    }
  }

  public static void main(String[] args) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Job job = plan(env, args, System.getenv());
    env.execute(job.flinkName());
  }

  /**
   * Reads the settings, configures {@code env} and adds the chosen job's operators to it, without
   * executing anything.
   *
   * @param environment the process environment (only {@value #TOKEN_ENV} and Kafka's secrets, the
   *     {@code CITYBRAIN_KAFKA_*} variables of {@link io.citybrain.connectors.kafka.KafkaSecurity},
   *     are read)
   * @throws IllegalArgumentException naming the key of the first wrong or missing value
   */
  public static Job plan(
      StreamExecutionEnvironment env, String[] args, Map<String, String> environment) {
    Map<String, String> settings =
        effectiveSettings(env.getConfiguration().toMap(), args, environment, env.getParallelism());
    JobSettings.refuseUnknown(settings.keySet(), KEYS, PREFIXES);
    Job job = Job.of(settings.get(JOB_KEY));
    String[] keyValues = toArgs(settings);
    JobSettings s = JobSettings.fromArgs(keyValues, environment);
    // The package is read here, on the client, so that a wrong path or a bad layer stops the
    // submission naming city.package instead of failing every task after deployment.
    s.city().checked();
    switch (job) {
      // The registry is read here, at submission, and travels inside the job graph: the task
      // managers need no copy.
      case TRAFFIC -> TrafficJob.assemble(env, s, GeoSegmentMatcher.loopSegments(keyValues));
      case UTILITY -> UtilityJob.assemble(env, s, UtilitySettings.fromArgs(keyValues));
      case EMERGENCY -> EmergencyJob.assemble(env, s, EmergencySettings.fromArgs(keyValues));
      default -> throw new IllegalStateException(job.name());
    }
    return job;
  }

  /**
   * Flink configuration ({@code citybrain.*}) overlaid by the arguments; the token from the
   * environment when neither has one; the cluster's parallelism when neither sets one.
   */
  static Map<String, String> effectiveSettings(
      Map<String, String> flinkConfig,
      String[] args,
      Map<String, String> environment,
      int clusterParallelism) {
    Map<String, String> merged = new LinkedHashMap<>();
    flinkConfig.forEach(
        (k, v) -> {
          if (k.startsWith(CONFIG_PREFIX)) {
            merged.put(k.substring(CONFIG_PREFIX.length()), v);
          }
        });
    ParameterTool fromArgs;
    try {
      fromArgs = ParameterTool.fromArgs(args);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "arguments must be --key value pairs: " + e.getMessage(), e);
    }
    fromArgs
        .toMap()
        .forEach(
            (k, v) -> {
              // ParameterTool's marker for a key given without a value (its constant is not
              // public).
              if ("__NO_VALUE_KEY".equals(v)) {
                throw new IllegalArgumentException("--" + k + " needs a value");
              }
              merged.put(k, v);
            });
    String token = environment.get(TOKEN_ENV);
    if (!merged.containsKey(InfluxSettings.TOKEN_KEY) && token != null) {
      merged.put(InfluxSettings.TOKEN_KEY, token);
    }
    if (!merged.containsKey("parallelism") && clusterParallelism > 0) {
      merged.put("parallelism", Integer.toString(clusterParallelism));
    }
    return merged;
  }

  private static String[] toArgs(Map<String, String> settings) {
    List<String> out = new ArrayList<>();
    settings.forEach(
        (k, v) -> {
          out.add("--" + k);
          out.add(v);
        });
    return out.toArray(String[]::new);
  }
}
