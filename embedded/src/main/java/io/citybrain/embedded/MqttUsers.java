package io.citybrain.embedded;

import io.citybrain.users.Account;
import io.citybrain.users.Role;
import io.citybrain.users.UsersFile;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Who may connect to the embedded broker, and where each may subscribe and publish: the users file
 * ({@link UsersFile}, shared with Mosquitto, the bridge and the console) applied by Moquette.
 *
 * <p>The rules are {@link UsersFile#readable} and {@link UsersFile#writable}, the same ones written
 * to Mosquitto's ACL file:
 *
 * <ul>
 *   <li>an operator subscribes to {@code city/alerts/#}, an officer to {@code
 *       city/alerts/district/<scope>}, a manager to {@code city/alerts/community/<scope>}; each
 *       acknowledges only on {@code city/ack/<alertId>/<their user name>}, so the topic names who
 *       acknowledged and nobody can publish an acknowledgement in another's name;
 *   <li>a device publishes only on {@code city/<domain>/<kind>/<its user name>} and subscribes to
 *       nothing;
 *   <li>a service (the bridge, alert dispatch, the console) subscribes and publishes anywhere.
 * </ul>
 *
 * Client ids are bound to accounts ({@link #clientIdRefusal}): a device or a person connects as its
 * user name (or {@code <username>-<suffix>}), and a service account's name is reserved, as a client
 * id and as a prefix, for that account. Subscriptions are checked as written: a manager's {@code
 * city/alerts/community/#} is refused, because it would match other communities.
 *
 * <p>Thread safety: safe for concurrent use by the broker's threads; {@link #addService} may be
 * called while the broker runs.
 */
public final class MqttUsers implements IAuthenticator, IAuthorizatorPolicy {

  private final UsersFile users;
  private final AtomicLong refusedClientIds = new AtomicLong();
  private final Set<String> loggedClientIdRefusals = ConcurrentHashMap.newKeySet();

  /** What Moquette assigns to a client that sent an empty id: a random UUID without its dashes. */
  private static final Pattern BROKER_ASSIGNED = Pattern.compile("[0-9a-f]{32}");

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MqttUsers.class);

  private MqttUsers(UsersFile users) {
    this.users = users;
  }

  /** No accounts yet: add service accounts with {@link #addService}. */
  public static MqttUsers empty() {
    return new MqttUsers(UsersFile.empty());
  }

  /** Reads a users file; a bad line fails naming the file, the line number and what is wrong. */
  public static MqttUsers load(Path file) {
    return new MqttUsers(UsersFile.load(file));
  }

  static MqttUsers parse(List<String> lines, String source) {
    return new MqttUsers(UsersFile.parse(lines, source));
  }

  /**
   * Adds (or replaces) a service account, e.g. one the local city creates with a random password.
   */
  public MqttUsers addService(String username, char[] password) {
    users.addService(username, password);
    return this;
  }

  /** A fresh random password, e.g. for a service account that lives as long as this JVM. */
  public static char[] randomPassword() {
    return UsersFile.randomPassword();
  }

  /** The users-file form of a person's password (see {@link UsersFile#hash(char[])}). */
  public static String hash(char[] password) {
    return UsersFile.hash(password);
  }

  @Override
  public boolean checkValid(String clientId, String username, byte[] password) {
    if (username == null || password == null) {
      return false;
    }
    char[] chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(password)).array();
    Account a;
    try {
      a = users.authenticate(username, chars).orElse(null);
    } finally {
      Arrays.fill(chars, '\0');
    }
    if (a == null) {
      return false;
    }
    String refusal = clientIdRefusal(clientId, a);
    if (refusal != null) {
      long n = refusedClientIds.incrementAndGet();
      if (loggedClientIdRefusals.size() < 10_000 && loggedClientIdRefusals.add(username)) {
        LOG.warn(
            "MQTT broker refused user '{}' with client id '{}': {} ({} refused so far; further refusals of this user are "
                + "counted, not logged)",
            username,
            clientId,
            refusal,
            n);
      }
      return false;
    }
    return true;
  }

  /**
   * Why {@code account} may not connect as {@code clientId}, or null when it may (issue 23: any
   * account could connect with the bridge's client id and take its session). The client id names
   * the session the broker keeps, so it is bound to the account:
   *
   * <ul>
   *   <li>an id that is a service account's name, or starts with it and {@code -}, belongs to that
   *       service account alone ({@code citybrain-bridge-1} to {@code citybrain-bridge});
   *   <li>a device, manager or officer connects as its user name, or its user name, {@code -} and
   *       anything (one account, several connections: {@code mgr-xihu-01-phone}), or with an id the
   *       broker assigned (a clean-session client that sent none, as {@code mosquitto_sub} does: 32
   *       hex digits, a random UUID);
   *   <li>a service account may use any id not reserved for another service account.
   * </ul>
   */
  String clientIdRefusal(String clientId, Account account) {
    if (clientId == null) {
      return "no client id";
    }
    for (Account other : users.accounts()) {
      if (other.role() == Role.SERVICE
          && !other.username().equals(account.username())
          && ownedBy(clientId, other.username())) {
        return "the client id is reserved for the service account '" + other.username() + "'";
      }
    }
    if (account.role() == Role.SERVICE
        || ownedBy(clientId, account.username())
        || BROKER_ASSIGNED.matcher(clientId).matches()) {
      return null;
    }
    return "a "
        + account.role().id()
        + " connects with its user name as client id, or its user name followed by '-' and a suffix";
  }

  private static boolean ownedBy(String clientId, String username) {
    return clientId.equals(username) || clientId.startsWith(username + "-");
  }

  /**
   * Connections refused because the account may not use that client id (see {@link
   * #clientIdRefusal}).
   */
  public long refusedClientIds() {
    return refusedClientIds.get();
  }

  @Override
  public boolean canWrite(Topic topic, String user, String client) {
    return users
        .account(user)
        .map(a -> UsersFile.writable(a).stream().anyMatch(f -> covers(f, topic.toString())))
        .orElse(false);
  }

  @Override
  public boolean canRead(Topic topic, String user, String client) {
    return users
        .account(user)
        .map(a -> UsersFile.readable(a).stream().anyMatch(f -> covers(f, topic.toString())))
        .orElse(false);
  }

  /**
   * Whether every topic {@code asked} matches (a topic, or a subscription's filter) is matched by
   * the granted filter: a subscription is allowed only when it cannot reach beyond the grant.
   */
  static boolean covers(String granted, String asked) {
    String[] g = granted.split("/", -1);
    String[] a = asked.split("/", -1);
    for (int i = 0; i < g.length; i++) {
      if (g[i].equals("#")) {
        return true;
      }
      if (i >= a.length
          || a[i].equals("#")
          || a[i].isEmpty()
          || (a[i].equals("+") && !g[i].equals("+"))) {
        return false;
      }
      if (!g[i].equals("+") && !g[i].equals(a[i])) {
        return false;
      }
    }
    return a.length == g.length;
  }

  /** Prints the users-file hash of a password typed on the console (not echoed). */
  public static void main(String[] args) {
    java.io.Console console = System.console();
    if (console == null) {
      System.err.println("run in a terminal: the password is read from the console");
      System.exit(2);
    }
    char[] password = console.readPassword("password: ");
    System.out.println(UsersFile.hash(password));
    Arrays.fill(password, '\0');
  }
}
