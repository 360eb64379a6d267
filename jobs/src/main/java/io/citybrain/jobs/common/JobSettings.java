package io.citybrain.jobs.common;

import io.citybrain.connectors.ProcessSettings;
import io.citybrain.connectors.influx.InfluxSettings;
import io.citybrain.connectors.influx.SinkTuning;
import io.citybrain.connectors.kafka.KafkaSecurity;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.util.ParameterTool;

/**
 * What every job needs to know about its surroundings, from {@code --key value} arguments. A
 * missing or wrong value stops start-up with a message naming the key.
 *
 * @param outOfOrderness how late an event may arrive before the watermark passes it
 * @param idleness after how long without data a Kafka partition stops holding back the watermark
 * @param allowedLateness how long after the watermark a window still accepts (and re-emits) data;
 *     later data goes to the dead-letter topic with reason {@code late}
 * @param citySeed the seed of the generated city model, used when no {@code cityPackage} is given;
 *     every part of one deployment must use the same city
 * @param cityPackage the city package ({@link CitySource}, key {@code city.package}): a directory
 *     or a URL Flink's file systems read; null for the generated city of {@code citySeed}
 * @param kafkaSecurity how every Kafka source and sink of the job reaches Kafka ({@link
 *     KafkaSecurity}'s keys, {@code kafka.security.protocol} and so on, secrets from the
 *     environment); null means none
 * @param sinkTuning the store sinks' batching, retries and timeouts ({@code influx.batch-size},
 *     {@code influx.flush-interval}, {@code influx.max-retries}, {@code influx.request-timeout});
 *     null means {@link SinkTuning#DEFAULTS}
 */
public record JobSettings(
    String kafkaBootstrap,
    InfluxSettings influx,
    Duration checkpointInterval,
    Duration outOfOrderness,
    Duration idleness,
    Duration allowedLateness,
    int parallelism,
    long citySeed,
    KafkaSecurity kafkaSecurity,
    String cityPackage,
    SinkTuning sinkTuning)
    implements Serializable {

  public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap-servers";
  public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
  public static final String OUT_OF_ORDERNESS = "watermark.out-of-orderness";
  public static final String IDLENESS = "watermark.idleness";
  public static final String ALLOWED_LATENESS = "window.allowed-lateness";
  public static final String PARALLELISM = "parallelism";

  static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
  static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  static final Duration DEFAULT_IDLENESS = Duration.ofSeconds(10);
  static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofSeconds(60);

  /**
   * The keys every job reads; each job's own ({@code EmergencySettings.KEYS}, {@code
   * UtilitySettings.KEYS}, the traffic job's {@code registry.path}) come on top. Kafka's secret
   * keys are here so that {@link KafkaSecurity} refuses them naming the variable to use instead.
   */
  public static final Set<String> KEYS = commonKeys();

  /** Families of keys each read by one job only; a job given another's leaves them to it. */
  static final List<String> JOB_FAMILIES = List.of("emergency.", "utility.");

  private static Set<String> commonKeys() {
    Set<String> keys =
        new TreeSet<>(
            List.of(
                KAFKA_BOOTSTRAP,
                CHECKPOINT_INTERVAL,
                OUT_OF_ORDERNESS,
                IDLENESS,
                ALLOWED_LATENESS,
                PARALLELISM,
                CitySource.SEED_KEY,
                CitySource.PACKAGE_KEY,
                InfluxSettings.URL_KEY,
                InfluxSettings.ORG_KEY,
                InfluxSettings.BUCKET_KEY,
                InfluxSettings.TOKEN_KEY,
                SinkTuning.BATCH_SIZE_KEY,
                SinkTuning.FLUSH_INTERVAL_KEY,
                SinkTuning.MAX_RETRIES_KEY,
                SinkTuning.REQUEST_TIMEOUT_KEY));
    keys.addAll(KafkaSecurity.KEYS);
    keys.addAll(KafkaSecurity.SECRET_KEYS.keySet());
    return Collections.unmodifiableSet(keys);
  }

  /**
   * Stops start-up on a key no job reads, naming it and the closest known key: a misspelt {@code
   * --watermark.idlenes 30} would otherwise leave the idleness at its default without a word.
   *
   * @param given the keys given (arguments, and the job jar's {@code citybrain.*} configuration)
   * @param jobKeys the job's own keys besides {@link #KEYS}
   * @param jobKeyPrefixes families of the job's keys, such as {@code emergency.ticket-deadline.}
   * @throws IllegalArgumentException naming every unknown key
   */
  public static void refuseUnknown(
      Collection<String> given, Collection<String> jobKeys, Collection<String> jobKeyPrefixes) {
    Set<String> known = new TreeSet<>(KEYS);
    known.addAll(jobKeys);
    // One argument list may serve every job (the README's table is one): another job's family is
    // that job's to check.
    List<String> othersFamilies =
        JOB_FAMILIES.stream().filter(f -> known.stream().noneMatch(k -> k.startsWith(f))).toList();
    ProcessSettings.refuseUnknown(
        given,
        key ->
            known.contains(key)
                || jobKeyPrefixes.stream().anyMatch(key::startsWith)
                || othersFamilies.stream().anyMatch(key::startsWith),
        known,
        "README.md, \"Configuration\"");
  }

  /**
   * {@link #refuseUnknown(Collection, Collection, Collection)} of {@code --key value} arguments.
   */
  public static void refuseUnknown(
      String[] args, Collection<String> jobKeys, Collection<String> jobKeyPrefixes) {
    refuseUnknown(ParameterTool.fromArgs(args).toMap().keySet(), jobKeys, jobKeyPrefixes);
  }

  public JobSettings {
    kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.NONE : kafkaSecurity;
    sinkTuning = sinkTuning == null ? SinkTuning.DEFAULTS : sinkTuning;
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException(
          KAFKA_BOOTSTRAP + " must be set, e.g. --" + KAFKA_BOOTSTRAP + " kafka:9092");
    }
    positive(checkpointInterval, "checkpoint.interval");
    positive(outOfOrderness, "watermark.out-of-orderness");
    positive(idleness, "watermark.idleness");
    if (allowedLateness.isNegative()) {
      throw new IllegalArgumentException("window.allowed-lateness must not be negative");
    }
    if (cityPackage != null && cityPackage.isBlank()) {
      throw new IllegalArgumentException(
          CitySource.PACKAGE_KEY + " must name a directory or URL, got an empty value");
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
  }

  /**
   * Settings on Kafka at {@code kafkaBootstrap} and the store {@code influx}, everything else at
   * the defaults of {@link #fromArgs} (the README's table), to change through the builder.
   */
  public static Builder builder(String kafkaBootstrap, InfluxSettings influx) {
    return new Builder(kafkaBootstrap, influx);
  }

  /** These settings, to change some of them; {@link Builder#build()} validates them again. */
  public Builder toBuilder() {
    Builder b = new Builder(kafkaBootstrap, influx);
    b.checkpointInterval = checkpointInterval;
    b.outOfOrderness = outOfOrderness;
    b.idleness = idleness;
    b.allowedLateness = allowedLateness;
    b.parallelism = parallelism;
    b.citySeed = citySeed;
    b.kafkaSecurity = kafkaSecurity;
    b.cityPackage = cityPackage;
    b.sinkTuning = sinkTuning;
    return b;
  }

  /** Where the job's city comes from. */
  public CitySource city() {
    return cityPackage == null ? CitySource.generated(citySeed) : CitySource.of(cityPackage);
  }

  /** Builds {@link JobSettings}; the record's constructor validates what it is given. */
  public static final class Builder {
    private final String kafkaBootstrap;
    private final InfluxSettings influx;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private Duration outOfOrderness = DEFAULT_OUT_OF_ORDERNESS;
    private Duration idleness = DEFAULT_IDLENESS;
    private Duration allowedLateness = DEFAULT_ALLOWED_LATENESS;
    private int parallelism = 1;
    private long citySeed = CitySource.DEFAULT_SEED;
    private KafkaSecurity kafkaSecurity = KafkaSecurity.NONE;
    private String cityPackage;
    private SinkTuning sinkTuning = SinkTuning.DEFAULTS;

    private Builder(String kafkaBootstrap, InfluxSettings influx) {
      this.kafkaBootstrap = kafkaBootstrap;
      this.influx = influx;
    }

    public Builder checkpointInterval(Duration d) {
      this.checkpointInterval = d;
      return this;
    }

    public Builder outOfOrderness(Duration d) {
      this.outOfOrderness = d;
      return this;
    }

    public Builder idleness(Duration d) {
      this.idleness = d;
      return this;
    }

    public Builder allowedLateness(Duration d) {
      this.allowedLateness = d;
      return this;
    }

    public Builder parallelism(int p) {
      this.parallelism = p;
      return this;
    }

    /** The generated city of {@code seed}, unless a {@link #cityPackage} is given. */
    public Builder citySeed(long seed) {
      this.citySeed = seed;
      return this;
    }

    public Builder kafkaSecurity(KafkaSecurity security) {
      this.kafkaSecurity = security;
      return this;
    }

    /** A city package's directory or URL; null: the generated city of {@link #citySeed}. */
    public Builder cityPackage(String uri) {
      this.cityPackage = uri;
      return this;
    }

    public Builder sinkTuning(SinkTuning tuning) {
      this.sinkTuning = tuning;
      return this;
    }

    public JobSettings build() {
      return new JobSettings(
          kafkaBootstrap,
          influx,
          checkpointInterval,
          outOfOrderness,
          idleness,
          allowedLateness,
          parallelism,
          citySeed,
          kafkaSecurity,
          cityPackage,
          sinkTuning);
    }
  }

  private static void positive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
    }
  }

  /** {@link #fromArgs(String[], Map)} with this process's environment. */
  public static JobSettings fromArgs(String[] args) {
    return fromArgs(args, System.getenv());
  }

  /**
   * Reads {@code --kafka.bootstrap-servers}, {@code --influx.url}, ... (see the README's table) and
   * Kafka security ({@code --kafka.security.protocol}, ...); the Kafka secrets only from {@code
   * env}.
   */
  public static JobSettings fromArgs(String[] args, Map<String, String> env) {
    ParameterTool p = ParameterTool.fromArgs(args);
    return new JobSettings(
        p.get(KAFKA_BOOTSTRAP),
        new InfluxSettings(
            p.get(InfluxSettings.URL_KEY),
            p.get(InfluxSettings.ORG_KEY, "citybrain"),
            p.get(InfluxSettings.BUCKET_KEY, "citybrain"),
            p.get(InfluxSettings.TOKEN_KEY)),
        seconds(p, CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL),
        seconds(p, OUT_OF_ORDERNESS, DEFAULT_OUT_OF_ORDERNESS),
        seconds(p, IDLENESS, DEFAULT_IDLENESS),
        seconds(p, ALLOWED_LATENESS, DEFAULT_ALLOWED_LATENESS),
        parallelism(ProcessSettings.number(p::get, PARALLELISM, 1)),
        ProcessSettings.number(p::get, CitySource.SEED_KEY, CitySource.DEFAULT_SEED),
        KafkaSecurity.from("", p::get, env),
        p.get(CitySource.PACKAGE_KEY),
        SinkTuning.from(p::get));
  }

  private static Duration seconds(ParameterTool p, String key, Duration defaultValue) {
    String v = p.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number of seconds, got '" + v + "'");
    }
  }

  /** Flink's upper bound of a job's parallelism (its maximum parallelism's ceiling). */
  private static int parallelism(long p) {
    if (p < 1 || p > 32_768) {
      throw new IllegalArgumentException(PARALLELISM + " must be within 1..32768, got " + p);
    }
    return (int) p;
  }
}
