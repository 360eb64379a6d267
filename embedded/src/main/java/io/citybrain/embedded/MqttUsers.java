package io.citybrain.embedded;

import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Who may connect to the embedded broker, and where each may subscribe and publish.
 *
 * <p>Accounts come from a users file, one account a line, {@code #} starts a comment:
 * <pre>
 * # username,role,scope,password-hash
 * mgr-xihu-01,manager,c-330106-007,pbkdf2-sha256$10000$&lt;salt&gt;$&lt;hash&gt;
 * officer-xihu,officer,330106,pbkdf2-sha256$...
 * loop-0001,device,,pbkdf2-sha256$...
 * grafana-bridge,service,,pbkdf2-sha256$...
 * </pre>
 * Passwords are stored as PBKDF2-HMAC-SHA256 with a random 16-byte salt (the JDK has it, so no
 * extra dependency; unlike one round of salted SHA-256 it is slow to brute-force, and the
 * iteration count is per line so operators can raise it). {@link #hash(char[])} makes a line's hash;
 * {@code main} prints one for a password read from the console.
 *
 * <p>Roles (the only ones; anything else fails loading, naming the line):
 * <ul>
 *   <li>{@code manager} (scope: a community id) subscribes to {@code city/alerts/community/<scope>}
 *       only, and publishes acknowledgements on {@code city/ack/<alertId>}.
 *   <li>{@code officer} (scope: a six-digit district code) subscribes to
 *       {@code city/alerts/district/<scope>} only, and publishes acknowledgements.
 *   <li>{@code device} publishes only on {@code city/<domain>/<kind>/<its username>} (not under the
 *       reserved {@code city/ack} and {@code city/alerts}) and subscribes to nothing.
 *   <li>{@code service} (the bridge, the alert dispatcher) subscribes and publishes anywhere.
 * </ul>
 * Client ids are bound to accounts ({@link #clientIdRefusal}): a device, manager or officer
 * connects as its user name (or {@code <username>-<suffix>}), and a service account's name is
 * reserved, as a client id and as a prefix, for that account.
 * Subscriptions are checked as written: a manager's {@code city/alerts/community/#} or
 * {@code city/alerts/#} is refused, because it would match other communities.
 *
 * <p>Thread safety: safe for concurrent use by the broker's threads; {@link #addService} may be
 * called while the broker runs.
 */
public final class MqttUsers implements IAuthenticator, IAuthorizatorPolicy {

  public static final String MANAGER = "manager";
  public static final String OFFICER = "officer";
  public static final String DEVICE = "device";
  public static final String SERVICE = "service";
  private static final String SCHEME = "pbkdf2-sha256";
  private static final int ITERATIONS = 10_000;
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One account; the hash, never the password. */
  record Account(String username, String role, String scope, String hash) {}

  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong refusedClientIds = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.Set<String> loggedClientIdRefusals = ConcurrentHashMap.newKeySet();
  /** What Moquette assigns to a client that sent an empty id: a random UUID without its dashes. */
  private static final Pattern BROKER_ASSIGNED = Pattern.compile("[0-9a-f]{32}");
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MqttUsers.class);

  private MqttUsers() {}

  /** No accounts yet: add service accounts with {@link #addService}. */
  public static MqttUsers empty() {
    return new MqttUsers();
  }

  /** Reads a users file; a bad line fails naming the file, the line number and what is wrong. */
  public static MqttUsers load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("mqtt.users file " + file + " cannot be read", e);
    }
    return parse(lines, file.toString());
  }

  static MqttUsers parse(List<String> lines, String source) {
    MqttUsers users = new MqttUsers();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1) + ": ";
      String[] f = line.split(",", -1);
      if (f.length != 4) {
        throw new IllegalArgumentException(where + "expected username,role,scope,password-hash");
      }
      String username = f[0].strip();
      String role = f[1].strip();
      String scope = f[2].strip();
      String hash = f[3].strip();
      if (!SEGMENT.matcher(username).matches()) {
        throw new IllegalArgumentException(where + "username must match [A-Za-z0-9._-]{1,64}");
      }
      if (!List.of(MANAGER, OFFICER, DEVICE, SERVICE).contains(role)) {
        throw new IllegalArgumentException(where + "role must be manager, officer, device or service, got '" + role + "'");
      }
      if ((role.equals(MANAGER) || role.equals(OFFICER)) && !SEGMENT.matcher(scope).matches()) {
        throw new IllegalArgumentException(where + "a " + role + " needs a scope (its "
            + (role.equals(MANAGER) ? "community id" : "district code") + ")");
      }
      if (!hash.startsWith(SCHEME + "$") || hash.split("\\$").length != 4) {
        throw new IllegalArgumentException(where + "password-hash must be " + SCHEME + "$<iterations>$<salt>$<hash> "
            + "(make one with MqttUsers.hash); plaintext passwords are refused");
      }
      if (users.accounts.putIfAbsent(username, new Account(username, role, scope, hash)) != null) {
        throw new IllegalArgumentException(where + "username '" + username + "' appears twice");
      }
    }
    return users;
  }

  /** Adds (or replaces) a service account, e.g. one the local city creates with a random password. */
  public MqttUsers addService(String username, char[] password) {
    accounts.put(username, new Account(username, SERVICE, "", hash(password)));
    return this;
  }

  /** A fresh random password, e.g. for a service account that lives as long as this JVM. */
  public static char[] randomPassword() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
  }

  /** The users-file form of a password: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}. */
  public static String hash(char[] password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return SCHEME + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(pbkdf2(password, salt, ITERATIONS));
  }

  static boolean matches(char[] password, String hash) {
    String[] p = hash.split("\\$");
    try {
      int iterations = Integer.parseInt(p[1]);
      byte[] salt = Base64.getDecoder().decode(p[2]);
      byte[] expected = Base64.getDecoder().decode(p[3]);
      return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  @Override
  public boolean checkValid(String clientId, String username, byte[] password) {
    Account a = username == null ? null : accounts.get(username);
    if (a == null || password == null) {
      return false;
    }
    char[] chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(password)).array();
    try {
      if (!matches(chars, a.hash())) {
        return false;
      }
    } finally {
      Arrays.fill(chars, '\0');
    }
    String refusal = clientIdRefusal(clientId, a);
    if (refusal != null) {
      long n = refusedClientIds.incrementAndGet();
      if (loggedClientIdRefusals.size() < 10_000 && loggedClientIdRefusals.add(username)) {
        LOG.warn("MQTT broker refused user '{}' with client id '{}': {} ({} refused so far; further refusals of this user are "
            + "counted, not logged)", username, clientId, refusal, n);
      }
      return false;
    }
    return true;
  }

  /**
   * Why {@code account} may not connect as {@code clientId}, or null when it may (issue 23: any
   * account could connect with the bridge's client id and take its session). The client id names
   * the session the broker keeps, so it is bound to the account:
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
    for (Account other : accounts.values()) {
      if (other.role().equals(SERVICE) && !other.username().equals(account.username()) && ownedBy(clientId, other.username())) {
        return "the client id is reserved for the service account '" + other.username() + "'";
      }
    }
    if (account.role().equals(SERVICE) || ownedBy(clientId, account.username()) || BROKER_ASSIGNED.matcher(clientId).matches()) {
      return null;
    }
    return "a " + account.role() + " connects with its user name as client id, or its user name followed by '-' and a suffix";
  }

  private static boolean ownedBy(String clientId, String username) {
    return clientId.equals(username) || clientId.startsWith(username + "-");
  }

  /** Connections refused because the account may not use that client id (see {@link #clientIdRefusal}). */
  public long refusedClientIds() {
    return refusedClientIds.get();
  }

  @Override
  public boolean canWrite(Topic topic, String user, String client) {
    Account a = user == null ? null : accounts.get(user);
    if (a == null) {
      return false;
    }
    String[] levels = topic.toString().split("/", -1);
    switch (a.role()) {
      case SERVICE:
        return true;
      case MANAGER:
      case OFFICER:
        return isAck(levels);
      case DEVICE:
        return levels.length == 4 && levels[0].equals("city") && !levels[1].equals("ack") && !levels[1].equals("alerts")
            && isPlain(levels[1]) && isPlain(levels[2]) && levels[3].equals(a.username());
      default:
        return false;
    }
  }

  @Override
  public boolean canRead(Topic topic, String user, String client) {
    Account a = user == null ? null : accounts.get(user);
    if (a == null) {
      return false;
    }
    String filter = topic.toString();
    switch (a.role()) {
      case SERVICE:
        return true;
      case MANAGER:
        return filter.equals("city/alerts/community/" + a.scope());
      case OFFICER:
        return filter.equals("city/alerts/district/" + a.scope());
      default:
        return false;
    }
  }

  private static boolean isAck(String[] levels) {
    return levels.length == 3 && levels[0].equals("city") && levels[1].equals("ack") && isPlain(levels[2]);
  }

  private static boolean isPlain(String level) {
    return !level.isEmpty() && !level.equals("+") && !level.equals("#");
  }

  /** Prints the users-file hash of a password typed on the console (not echoed). */
  public static void main(String[] args) {
    java.io.Console console = System.console();
    if (console == null) {
      System.err.println("run in a terminal: the password is read from the console");
      System.exit(2);
    }
    char[] password = console.readPassword("password: ");
    System.out.println(hash(password));
    Arrays.fill(password, '\0');
  }
}
