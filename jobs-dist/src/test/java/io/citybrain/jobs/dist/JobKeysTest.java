package io.citybrain.jobs.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citybrain.connectors.kafka.KafkaSecurity;
import io.citybrain.jobs.common.JobSettings;
import io.citybrain.jobs.emergency.EmergencySettings;
import io.citybrain.jobs.utility.UtilitySettings;
import io.citybrain.testkit.MarkdownTables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, item 3: the README's table of the jobs' keys is the set the jobs read, every one of
 * them changes what the job does, and any other key stops the submission naming it.
 */
class JobKeysTest {

  /** A value other than the default for each key a job reads (Kafka's are KafkaAccessTest's). */
  private static final Map<String, String> VALUES =
      Map.ofEntries(
          Map.entry("kafka.bootstrap-servers", "other:9092"),
          Map.entry("influx.url", "http://other:8086"),
          Map.entry("influx.org", "o"),
          Map.entry("influx.bucket", "b"),
          Map.entry("influx.token", "other-token"),
          Map.entry("influx.batch-size", "7"),
          Map.entry("influx.flush-interval", "0.5"),
          Map.entry("influx.max-retries", "1"),
          Map.entry("influx.request-timeout", "3"),
          Map.entry("checkpoint.interval", "3"),
          Map.entry("watermark.out-of-orderness", "3"),
          Map.entry("watermark.idleness", "3"),
          Map.entry("window.allowed-lateness", "3"),
          Map.entry("parallelism", "3"),
          Map.entry("city.seed", "7"),
          Map.entry("city.package", "/srv/city"),
          Map.entry("utility.reporting-interval", "30"),
          Map.entry("utility.nominal-voltage", "110"),
          Map.entry("utility.burst-drop", "0.3"),
          Map.entry("utility.burst-window", "200"),
          Map.entry("utility.baseline-minutes", "20"),
          Map.entry("utility.baseline-min-minutes", "3"),
          Map.entry("utility.gas-ppm-critical", "4000"),
          Map.entry("utility.gas-pressure-min-kpa", "2"),
          Map.entry("utility.gas-pressure-max-kpa", "4"),
          Map.entry("utility.forget-after", "1800"),
          Map.entry("emergency.escalate-after", "60"),
          Map.entry("emergency.renotify-every", "30"),
          Map.entry("emergency.fire-window", "60"),
          Map.entry("emergency.quiet-to-resolve", "300"),
          Map.entry("emergency.flood-warning-cm", "10"),
          Map.entry("emergency.flood-critical-cm", "20"),
          Map.entry("emergency.ticket-deadline.water", "3600"),
          Map.entry("emergency.area-interval", "30"),
          Map.entry("emergency.cooldown", "60"),
          Map.entry("emergency.max-open-tickets-per-device", "5"),
          Map.entry("emergency.max-buildings-per-detector", "2"));

  @Test
  void theReadmeTableListsExactlyTheKeysTheJobsRead() throws IOException {
    Set<String> read = new TreeSet<>(JobSettings.KEYS);
    read.addAll(CityJobs.KEYS);
    // Secrets are documented as environment variables, never as keys.
    read.removeAll(KafkaSecurity.SECRET_KEYS.keySet());
    CityJobs.PREFIXES.forEach(prefix -> read.add(prefix + "<category>"));
    // The sink's tuning keys have their table in docs/egress.md, beside what they tune.
    Set<String> documented = firstColumnKeys("../README.md", "\n## Configuration", "| key |");
    documented.addAll(firstColumnKeys("../docs/egress.md", "\n", "| setting |"));
    assertThat(documented).containsExactlyInAnyOrderElementsOf(read);
  }

  @Test
  void everyKeyChangesWhatTheJobIsGiven() {
    List<String> keys = new ArrayList<>(JobSettings.KEYS);
    keys.removeAll(KafkaSecurity.KEYS);
    keys.removeAll(KafkaSecurity.SECRET_KEYS.keySet());
    keys.addAll(EmergencySettings.KEYS);
    keys.addAll(UtilitySettings.KEYS);
    CityJobs.PREFIXES.forEach(prefix -> keys.add(prefix + "water"));
    String[] base = {
      "--kafka.bootstrap-servers", "k:9092", "--influx.url", "http://i:8086", "--influx.token", "t"
    };
    List<Object> defaults = parse(base);
    for (String key : keys) {
      assertThat(VALUES).as("a test value for %s", key).containsKey(key);
      String[] given = java.util.Arrays.copyOf(base, base.length + 2);
      given[base.length] = "--" + key;
      given[base.length + 1] = VALUES.get(key);
      assertThat(parse(given)).as("what %s changes", key).isNotEqualTo(defaults);
    }
  }

  private static List<Object> parse(String[] args) {
    return List.of(
        JobSettings.fromArgs(args, Map.of()),
        EmergencySettings.fromArgs(args),
        UtilitySettings.fromArgs(args));
  }

  @Test
  void aKeyNoJobReadsStopsTheSubmissionFromArgumentsOrTheFlinkConfiguration() {
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(),
                    CityJobsTest.args("--job", "utility", "--utility.nominal-votage", "230"),
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown setting utility.nominal-votage (did you mean utility.nominal-voltage?);"
                + " the keys are listed in README.md, \"Configuration\"");
    // The jar knows every job: another job's misspelt key stops this one's submission too.
    Configuration conf = new Configuration();
    conf.setString("citybrain.emergency.escalate-afer", "60");
    assertThatThrownBy(
            () ->
                CityJobs.plan(
                    StreamExecutionEnvironment.getExecutionEnvironment(conf),
                    CityJobsTest.args("--job", "traffic"),
                    Map.of()))
        .hasMessageStartingWith(
            "unknown setting emergency.escalate-afer (did you mean emergency.escalate-after?)");
  }

  /** The backticked keys in the first column of the first table after {@code heading}. */
  private static Set<String> firstColumnKeys(String file, String heading, String header) {
    return MarkdownTables.firstColumnKeys(
        MarkdownTables.rowsAfter(MarkdownTables.between(Path.of(file), heading, null), header));
  }
}
