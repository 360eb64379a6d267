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

  /** Settings with the store sinks' default tuning. */
  public JobSettings(
      String kafkaBootstrap,
      InfluxSettings influx,
      Duration checkpointInterval,
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      int parallelism,
      long citySeed,
      KafkaSecurity kafkaSecurity,
      String cityPackage) {
    this(
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
        null);
  }

  /** Settings of a job that reaches Kafka without security (the local city, tests). */
  public JobSettings(
      String kafkaBootstrap,
      InfluxSettings influx,
      Duration checkpointInterval,
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      int parallelism,
      long citySeed) {
    this(
        kafkaBootstrap,
        influx,
        checkpointInterval,
        outOfOrderness,
        idleness,
        allowedLateness,
        parallelism,
        citySeed,
        KafkaSecurity.NONE,
        null);
  }

  /** Settings of a job on the generated city of {@code citySeed}. */
  public JobSettings(
      String kafkaBootstrap,
      InfluxSettings influx,
      Duration checkpointInterval,
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      int parallelism,
      long citySeed,
      KafkaSecurity kafkaSecurity) {
    this(
        kafkaBootstrap,
        influx,
        checkpointInterval,
        outOfOrderness,
        idleness,
        allowedLateness,
        parallelism,
        citySeed,
        kafkaSecurity,
        null);
  }

  /** Where the job's city comes from. */
  public CitySource city() {
    return cityPackage == null ? CitySource.generated(citySeed) : CitySource.of(cityPackage);
  }

  /** These settings on another city package (null: the generated city of {@code citySeed}). */
  public JobSettings withCityPackage(String uri) {
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
        uri,
        sinkTuning);
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
        seconds(p, CHECKPOINT_INTERVAL, 10),
        seconds(p, OUT_OF_ORDERNESS, 5),
        seconds(p, IDLENESS, 10),
        seconds(p, ALLOWED_LATENESS, 60),
        parallelism(ProcessSettings.number(p::get, PARALLELISM, 1)),
        ProcessSettings.number(p::get, CitySource.SEED_KEY, 42),
        KafkaSecurity.from("", p::get, env),
        p.get(CitySource.PACKAGE_KEY),
        SinkTuning.from(p::get));
  }

  private static Duration seconds(ParameterTool p, String key, long defaultSeconds) {
    String v = p.get(key);
    if (v == null) {
      return Duration.ofSeconds(defaultSeconds);
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
