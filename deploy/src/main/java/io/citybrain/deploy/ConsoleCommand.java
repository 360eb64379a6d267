package io.citybrain.deploy;

import io.citybrain.console.ConsoleMain;
import io.citybrain.console.ConsoleSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./citybrain console}: the live console as a service of its own, against a city that runs
 * elsewhere (a cluster, Kubernetes), as {@link ConsoleMain} runs it in the image.
 */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the live console (map, figures, alerts with acknowledge) against a running city's Kafka,",
      "MQTT broker and indicator store (QuestDB, or InfluxDB 1.x/2.x/3.x through InfluxQL).",
      "Settings: console.* keys (docs/operations.md, \"The console as a service\") from FILE, -Dconsole.* in",
      "CITYBRAIN_JAVA_OPTS, or --set; secrets only from the environment: CITYBRAIN_CONSOLE_TOKEN,",
      "CITYBRAIN_CONSOLE_MQTT_PASSWORD, CITYBRAIN_CONSOLE_STORE_PASSWORD or _STORE_TOKEN,",
      "CITYBRAIN_CONSOLE_TLS_KEYSTORE_PASSWORD and Kafka's CITYBRAIN_KAFKA_*.",
      "Stops on Ctrl-C or SIGTERM."
    })
final class ConsoleCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description = "a properties file of console.* keys")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "a console.* setting, over FILE's (not a secret)")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    for (String key : set.keySet()) {
      for (Map.Entry<String, String> secret : ConsoleSettings.SECRETS.entrySet()) {
        if (secret.getValue().equals(key)) {
          // A command line is readable by every user of the machine (ps, /proc).
          System.err.println(
              "console: bad configuration: "
                  + key
                  + " must not be given on the command line: set "
                  + secret.getKey()
                  + " instead");
          return 2;
        }
      }
    }
    Properties p =
        ConsoleMain.load(file == null ? new String[0] : new String[] {file.toString()}, env);
    set.forEach(p::setProperty);
    return ConsoleMain.run(p, env, System.out, System.err);
  }
}
