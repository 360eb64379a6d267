package io.citybrain.users;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The users file: one account a line, {@code #} starts a comment.
 *
 * <pre>
 * # username,role,scope,password-hash
 * ops-wang,operator,,$7$210000$&lt;salt&gt;$&lt;hash&gt;
 * officer-xihu,officer,330106,$7$210000$...
 * mgr-xihu-01,manager,c-330106-007,$7$210000$...
 * loop-0001,device,,$7$1000$...
 * </pre>
 *
 * <p>Hashes are Mosquitto's own format ({@code $7$}: PBKDF2-HMAC-SHA512, as {@code
 * mosquitto_passwd} writes), so one file serves the embedded broker, Mosquitto (through {@link
 * #mosquittoPasswords} and {@link #mosquittoAcl}), the bridge, and the console's login, and a hash
 * made with {@code mosquitto_passwd -I 210000} can be pasted in. New hashes use {@value
 * #ITERATIONS} iterations, OWASP's figure for PBKDF2-HMAC-SHA512 (Password Storage Cheat Sheet);
 * the count is per line, so an operator raises it account by account. Lines written before this
 * format ({@code pbkdf2-sha256$}, 10,000 iterations) still log in to citybrain; Mosquitto cannot
 * read them, so the export names them.
 *
 * <p>Roles are {@link Role}'s; an officer's scope is a district code, a manager's a community id.
 * Loading fails on the first bad line, naming the file, the line and what is wrong, never the hash.
 *
 * <p>Thread safety: safe for concurrent use; {@link #addService} may be called while others read.
 */
public final class UsersFile {

  /**
   * OWASP Password Storage Cheat Sheet (2023 and since): PBKDF2-HMAC-SHA512, 210,000 iterations.
   */
  public static final int ITERATIONS = 210_000;

  /**
   * For secrets citybrain generates itself (144 random bits): no number of guesses finds one, so
   * the work factor that protects a person's password would only cost CPU at every connection.
   */
  public static final int RANDOM_SECRET_ITERATIONS = 1_000;

  /** Mosquitto's sizes for {@code $7$}: a 12-byte salt, a 64-byte SHA-512 output. */
  private static final int SALT_BYTES = 12;

  private static final String MOSQUITTO = "$7$";
  private static final String LEGACY = "pbkdf2-sha256$";

  /** A topic level without wildcards or separators: user names and scopes appear in topics. */
  public static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * The device domains of contract v1 (a device publishes {@code city/<domain>/<kind>/<its id>}).
   */
  public static final List<String> DEVICE_DOMAINS =
      List.of("traffic", "utility", "emergency", "community");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Account> accounts = new ConcurrentHashMap<>();

  private UsersFile() {}

  /** No accounts yet: add service accounts with {@link #addService}. */
  public static UsersFile empty() {
    return new UsersFile();
  }

  /** Reads a users file; a bad line fails naming the file, the line number and what is wrong. */
  public static UsersFile load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("users file " + file + " cannot be read", e);
    }
    return parse(lines, file.toString());
  }

  public static UsersFile parse(List<String> lines, String source) {
    UsersFile users = new UsersFile();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Account a = account(line, source + " line " + (i + 1) + ": ");
      if (users.accounts.putIfAbsent(a.username(), a) != null) {
        throw new IllegalArgumentException(
            source + " line " + (i + 1) + ": username '" + a.username() + "' appears twice");
      }
    }
    return users;
  }

  private static Account account(String line, String where) {
    String[] f = line.split(",", -1);
    if (f.length != 4) {
      throw new IllegalArgumentException(where + "expected username,role,scope,password-hash");
    }
    String username = f[0].strip();
    String scope = f[2].strip();
    String hash = f[3].strip();
    if (!SEGMENT.matcher(username).matches()) {
      throw new IllegalArgumentException(where + "username must match " + SEGMENT.pattern());
    }
    Role role =
        Role.of(f[1].strip())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where
                            + "role must be one of "
                            + Role.names()
                            + ", got '"
                            + f[1].strip()
                            + "'"));
    if (role.scoped() && !SEGMENT.matcher(scope).matches()) {
      throw new IllegalArgumentException(
          where
              + "a "
              + role.id()
              + " needs a scope (its "
              + (role == Role.MANAGER ? "community id" : "district code")
              + ")");
    }
    if (!role.scoped() && !scope.isEmpty()) {
      throw new IllegalArgumentException(
          where + "a " + role.id() + " has no scope: leave the third field empty");
    }
    if (parts(hash) == null) {
      throw new IllegalArgumentException(
          where
              + "password-hash must be $7$<iterations>$<salt>$<hash> (mosquitto_passwd's, "
              + "or ./citybrain users add); plaintext passwords are refused");
    }
    return new Account(username, role, scope, hash);
  }

  /**
   * Adds (or replaces) a service account, e.g. one the local city creates with a random password.
   */
  public UsersFile addService(String username, char[] password) {
    accounts.put(
        username,
        new Account(username, Role.SERVICE, "", hash(password, RANDOM_SECRET_ITERATIONS)));
    return this;
  }

  public Optional<Account> account(String username) {
    return username == null ? Optional.empty() : Optional.ofNullable(accounts.get(username));
  }

  public Collection<Account> accounts() {
    return List.copyOf(accounts.values());
  }

  /** The account, when {@code password} is its password. */
  public Optional<Account> authenticate(String username, char[] password) {
    return account(username).filter(a -> password != null && matches(password, a.hash()));
  }

  /** A fresh random password, e.g. for a service account that lives as long as this JVM. */
  public static char[] randomPassword() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
  }

  /** The users-file form of a person's password, at {@value #ITERATIONS} iterations. */
  public static String hash(char[] password) {
    return hash(password, ITERATIONS);
  }

  /** Mosquitto's {@code $7$<iterations>$<salt>$<hash>} form. */
  public static String hash(char[] password, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return MOSQUITTO
        + iterations
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(pbkdf2("PBKDF2WithHmacSHA512", password, salt, iterations, 512));
  }

  /** Whether {@code password} matches {@code hash}, in time independent of where they differ. */
  public static boolean matches(char[] password, String hash) {
    Hash h = parts(hash);
    if (h == null) {
      return false;
    }
    byte[] actual =
        pbkdf2(h.algorithm(), password, h.salt(), h.iterations(), h.expected().length * 8);
    return MessageDigest.isEqual(h.expected(), actual);
  }

  private record Hash(String algorithm, int iterations, byte[] salt, byte[] expected) {}

  private static Hash parts(String hash) {
    String algorithm;
    String rest;
    if (hash.startsWith(MOSQUITTO)) {
      algorithm = "PBKDF2WithHmacSHA512";
      rest = hash.substring(MOSQUITTO.length());
    } else if (hash.startsWith(LEGACY)) {
      algorithm = "PBKDF2WithHmacSHA256";
      rest = hash.substring(LEGACY.length());
    } else {
      return null;
    }
    String[] p = rest.split("\\$", -1);
    if (p.length != 3) {
      return null;
    }
    try {
      int iterations = Integer.parseInt(p[0]);
      byte[] salt = Base64.getDecoder().decode(p[1]);
      byte[] expected = Base64.getDecoder().decode(p[2]);
      if (iterations < 1
          || iterations > 10_000_000
          || salt.length == 0
          || expected.length < 16
          || expected.length > 64) {
        return null;
      }
      return new Hash(algorithm, iterations, salt, expected);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] pbkdf2(
      String algorithm, char[] password, byte[] salt, int iterations, int bits) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
    try {
      return SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is missing from this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  // ---- Mosquitto

  /**
   * Mosquitto's {@code password_file} for the people and devices of this file (the listener where a
   * client's id is its user name). Service accounts are left out: they log in on the services'
   * listener, whose file the deployment keeps (deploy/kubernetes/secrets).
   *
   * @throws IllegalArgumentException naming every account whose hash Mosquitto cannot read
   */
  public String mosquittoPasswords() {
    List<String> legacy = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    for (Account a : sorted()) {
      if (a.role() == Role.SERVICE) {
        continue;
      }
      if (a.hash().startsWith(LEGACY)) {
        legacy.add(a.username());
      } else {
        out.append(a.username()).append(':').append(a.hash()).append('\n');
      }
    }
    if (!legacy.isEmpty()) {
      throw new IllegalArgumentException(
          "Mosquitto cannot read the pbkdf2-sha256 hashes of "
              + String.join(", ", legacy)
              + ": give them a new password with ./citybrain users add");
    }
    return out.toString();
  }

  /** citybrain's own accounts on the services' MQTT listener. */
  public static final String BRIDGE_SERVICE = "bridge";

  public static final String DISPATCH_SERVICE = "dispatch";
  public static final String CONSOLE_SERVICE = "console";

  /**
   * Mosquitto's {@code acl_file} for the services' listener: each service reaches what it needs and
   * nothing more. The one source of these grants: {@code ./citybrain cluster --users} writes it,
   * and the Secret template deploy/kubernetes/secrets/mqtt.secret.yaml.example must hold the same
   * lines (MosquittoManifestITCase starts the manifest's broker with the template's, and compares
   * them).
   */
  public static String mosquittoServiceAcl() {
    return String.join(
        "\n",
        "user " + BRIDGE_SERVICE,
        "topic read city/#",
        "user " + DISPATCH_SERVICE,
        "topic write city/alerts/#",
        "user " + CONSOLE_SERVICE,
        "topic write city/ack/#",
        "");
  }

  /**
   * Mosquitto's {@code password_file} for the service accounts only: the listener citybrain's own
   * processes use (deploy/kubernetes/mqtt/mosquitto.yaml's second one, and {@code ./citybrain
   * cluster --users}'s), so that no person or device can log in there, nor a service where people
   * do.
   */
  public String mosquittoServicePasswords() {
    StringBuilder out = new StringBuilder();
    for (Account a : sorted()) {
      if (a.role() == Role.SERVICE) {
        out.append(a.username()).append(':').append(a.hash()).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Mosquitto's {@code acl_file} with the same rules as the embedded broker: one block per account,
   * no patterns, so that nothing is granted to an account the file does not name. A person
   * acknowledges only on {@code city/ack/<alertId>/<their user name>}, which is how citybrain knows
   * who acknowledged (Mosquitto does not tell a subscriber who published).
   */
  public String mosquittoAcl() {
    StringBuilder out =
        new StringBuilder(
            "# Written by ./citybrain users mosquitto: edit the users file, not this.\n");
    for (Account a : sorted()) {
      if (a.role() == Role.SERVICE) {
        continue;
      }
      out.append("\nuser ").append(a.username()).append('\n');
      for (String topic : readable(a)) {
        out.append("topic read ").append(topic).append('\n');
      }
      for (String topic : writable(a)) {
        out.append("topic write ").append(topic).append('\n');
      }
    }
    return out.toString();
  }

  /** The topic filters an account may subscribe to (services: anything). */
  public static List<String> readable(Account a) {
    return switch (a.role()) {
      case OPERATOR -> List.of("city/alerts/#");
      case OFFICER -> List.of("city/alerts/district/" + a.scope());
      case MANAGER -> List.of("city/alerts/community/" + a.scope());
      case DEVICE -> List.of();
      case SERVICE -> List.of("#");
    };
  }

  /**
   * The topics an account may publish on, {@code +} standing for any one level (services:
   * anything).
   */
  public static List<String> writable(Account a) {
    return switch (a.role()) {
      case OPERATOR, OFFICER, MANAGER -> List.of("city/ack/+/" + a.username());
      case DEVICE -> DEVICE_DOMAINS.stream().map(d -> "city/" + d + "/+/" + a.username()).toList();
      case SERVICE -> List.of("#");
    };
  }

  private List<Account> sorted() {
    return accounts.values().stream()
        .sorted(java.util.Comparator.comparing(Account::username))
        .toList();
  }

  // ---- editing

  /**
   * Adds an account to {@code file}, or replaces the line of the same user name, keeping every
   * other line and comment. The file is written beside and moved over the old one, so a failure
   * leaves the old file whole; the new file is checked by loading it before the move.
   */
  public static void put(Path file, Account account) {
    List<String> lines = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
      } else {
        lines.add("# username,role,scope,password-hash (see ./citybrain users --help)");
      }
      boolean replaced = false;
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).strip();
        if (!l.startsWith("#") && l.startsWith(account.username() + ",")) {
          lines.set(i, account.line());
          replaced = true;
        }
      }
      if (!replaced) {
        lines.add(account.line());
      }
      parse(lines, file.toString());
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("users file " + file + " cannot be written", e);
    }
  }

  /**
   * Checks a new account's user name, role and scope the way loading the file would, naming what is
   * wrong: before anyone is asked for a password.
   */
  public static void check(String username, String role, String scope) {
    account(
        username
            + ","
            + role
            + ","
            + (scope == null ? "" : scope)
            + ","
            + MOSQUITTO
            + "1$AAAA$"
            + Base64.getEncoder().encodeToString(new byte[64]),
        "");
  }

  /** A new account, checked as {@link #check} does, with {@code password} hashed. */
  public static Account newAccount(
      String username, String role, String scope, char[] password, int iterations) {
    Account probe =
        account(
            username
                + ","
                + role
                + ","
                + (scope == null ? "" : scope)
                + ","
                + MOSQUITTO
                + "1$AAAA$"
                + Base64.getEncoder().encodeToString(new byte[64]),
            "");
    char[] copy = Arrays.copyOf(password, password.length);
    try {
      return new Account(probe.username(), probe.role(), probe.scope(), hash(copy, iterations));
    } finally {
      Arrays.fill(copy, '\0');
    }
  }
}
