package io.citybrain.console;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the console needs to start. Validated here, so a wrong value stops start-up with a message
 * naming its key.
 *
 * @param port HTTP port of the console; 0 picks a free one
 * @param storeUrl base URL of the time-series store's HTTP endpoint with SQL on {@code /exec}
 *     (QuestDB, the local city's store)
 * @param kafkaBootstrap Kafka bootstrap servers, for {@code city.alerts}
 * @param mqttUrl MQTT broker URL, for acknowledgements on {@code city/ack/<alertId>}
 * @param mqttUser account to publish acknowledgements with, or null on a broker without authentication
 * @param mqttPassword its password, or null
 * @param citySeed seed of the generated city model the map shows (the jobs' seed)
 * @param refresh how long one snapshot of the live figures is served before the store is asked again
 * @param hosts host names a browser may reach the console by besides 127.0.0.1, localhost and [::1]
 *     (e.g. a name in /etc/hosts); any other {@code Host} header is refused, which is what keeps a
 *     DNS-rebinding page out
 * @param storeUser account of the store's HTTP endpoint (QuestDB's {@code http.user}), or null for an
 *     open store
 * @param storePassword its password, or null
 */
public record ConsoleSettings(int port, String storeUrl, String kafkaBootstrap, String mqttUrl, String mqttUser,
    char[] mqttPassword, long citySeed, Duration refresh, List<String> hosts, String storeUser, char[] storePassword) {

  /** A host name or address as it appears in a {@code Host} header, without the port. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

  public ConsoleSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("console.port must be within 0..65535, got " + port);
    }
    requireUri("console.storeUrl", storeUrl, "http");
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("console.kafkaBootstrap is required");
    }
    requireUri("console.mqttUrl", mqttUrl, "tcp");
    if ((mqttUser == null) != (mqttPassword == null)) {
      throw new IllegalArgumentException("console.mqttUser and console.mqttPassword go together: give both or neither");
    }
    Objects.requireNonNull(refresh, "console.refresh");
    if (refresh.isNegative() || refresh.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("console.refresh must be within 0..60 s, got " + refresh);
    }
    hosts = hosts == null ? List.of() : hosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    for (String h : hosts) {
      if (!HOST.matcher(h).matches()) {
        throw new IllegalArgumentException("console.hosts must name hosts without port or scheme (e.g. citybrain.lan), got '"
            + h + "'");
      }
    }
    if ((storeUser == null) != (storePassword == null)) {
      throw new IllegalArgumentException("console.storeUser and console.storePassword go together: give both or neither");
    }
  }

  /** The local city's console: anonymous MQTT, one-second snapshots. */
  public static ConsoleSettings local(int port, String storeUrl, String kafkaBootstrap, String mqttUrl, long citySeed) {
    return new ConsoleSettings(port, storeUrl, kafkaBootstrap, mqttUrl, null, null, citySeed, Duration.ofSeconds(1),
        List.of(), null, null);
  }

  public ConsoleSettings withMqttCredentials(String user, char[] password) {
    return new ConsoleSettings(port, storeUrl, kafkaBootstrap, mqttUrl, user, password, citySeed, refresh, hosts,
        storeUser, storePassword);
  }

  /** With the store's HTTP credentials (the local city's QuestDB requires them). */
  public ConsoleSettings withStoreCredentials(String user, char[] password) {
    return new ConsoleSettings(port, storeUrl, kafkaBootstrap, mqttUrl, mqttUser, mqttPassword, citySeed, refresh, hosts,
        user, password);
  }

  /** Also answering to these host names (see {@link #hosts()}). */
  public ConsoleSettings withHosts(List<String> names) {
    return new ConsoleSettings(port, storeUrl, kafkaBootstrap, mqttUrl, mqttUser, mqttPassword, citySeed, refresh, names,
        storeUser, storePassword);
  }

  private static void requireUri(String key, String value, String scheme) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is required");
    }
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " is not a URL: " + value, e);
    }
    if (uri.getScheme() == null || !uri.getScheme().startsWith(scheme) || uri.getHost() == null) {
      throw new IllegalArgumentException(key + " must be a " + scheme + " URL with a host, got " + value);
    }
  }

  @Override
  public String toString() {
    // The passwords stay out of logs and exception messages.
    return "ConsoleSettings[port=" + port + ", storeUrl=" + storeUrl + ", kafkaBootstrap=" + kafkaBootstrap
        + ", mqttUrl=" + mqttUrl + ", mqttUser=" + mqttUser + ", citySeed=" + citySeed + ", refresh=" + refresh
        + ", hosts=" + hosts + ", storeUser=" + storeUser + "]";
  }
}
