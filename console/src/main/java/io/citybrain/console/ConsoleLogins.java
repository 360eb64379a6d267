package io.citybrain.console;

import io.citybrain.users.Account;
import io.citybrain.users.UsersFileWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * People's logins to the console (issue 20): the accounts of the users file, the one the brokers
 * and the bridge read, and a signed session cookie.
 *
 * <p>The cookie is {@code <username>.<expiry>.<HMAC-SHA256 of both>}, so any replica that has the
 * same key ({@code CITYBRAIN_CONSOLE_SESSION_KEY}) accepts it and none keeps sessions. The account
 * is looked up again at every request, in the file as it is now ({@link UsersFileWatch}, looked at
 * every 10 s): a person removed from the file, or moved to another community, is out or moved
 * within seconds of the edit, without a restart. A session lasts one shift ({@link #SESSION});
 * signing out clears the browser's cookie.
 *
 * <p>Guessing: after {@link #FREE_FAILURES} wrong passwords in a row an account waits {@link
 * #LOCKOUT} before the next try is even checked, and at most two passwords are checked at once
 * (each is 210,000 rounds of PBKDF2: a flood of logins must not take the console's CPU).
 * Thread-safe.
 */
final class ConsoleLogins {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ConsoleLogins.class);

  static final String COOKIE = "citybrain_session";
  static final Duration SESSION = Duration.ofHours(12);
  static final int FREE_FAILURES = 5;
  static final Duration LOCKOUT = Duration.ofMinutes(1);

  private final UsersFileWatch users;
  private final byte[] key;
  private final Semaphore checking = new Semaphore(2);
  private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

  private record Failures(int count, long until) {}

  /** What a login attempt came to. */
  sealed interface Outcome {
    record In(Account account, String cookie) implements Outcome {}

    record Refused() implements Outcome {}

    record Throttled(long retryAfterSeconds) implements Outcome {}
  }

  ConsoleLogins(Path usersFile, char[] sessionKey) {
    this(usersFile, sessionKey, UsersFileWatch.INTERVAL);
  }

  ConsoleLogins(Path usersFile, char[] sessionKey, Duration reread) {
    this.users = UsersFileWatch.start(usersFile, reread, LOG::warn, System.currentTimeMillis());
    if (sessionKey == null) {
      key = new byte[32];
      new SecureRandom().nextBytes(key);
    } else {
      key = new String(sessionKey).getBytes(StandardCharsets.UTF_8);
    }
  }

  Outcome login(String username, char[] password, long now) throws InterruptedException {
    Failures f = username == null ? null : failures.get(username);
    if (f != null && f.count() >= FREE_FAILURES && now < f.until()) {
      return new Outcome.Throttled(Math.max(1, (f.until() - now + 999) / 1000));
    }
    if (!checking.tryAcquire(10, TimeUnit.SECONDS)) {
      return new Outcome.Throttled(1);
    }
    Optional<Account> account;
    try {
      account = users.current(now).authenticate(username, password).filter(a -> a.role().person());
    } finally {
      checking.release();
      Arrays.fill(password, '\0');
    }
    if (account.isEmpty()) {
      if (username != null && users.current(now).account(username).isPresent()) {
        failures.merge(
            username,
            new Failures(1, now + LOCKOUT.toMillis()),
            (old, one) -> new Failures(old.count() + 1, now + LOCKOUT.toMillis()));
      }
      return new Outcome.Refused();
    }
    failures.remove(username);
    long expiry = now + SESSION.toMillis();
    String signed = username + "." + expiry;
    return new Outcome.In(account.get(), signed + "." + sign(signed));
  }

  /**
   * The person of a {@code Cookie} header's session, when it is signed by us, unexpired and still
   * in the file.
   */
  Optional<Account> account(String cookieHeader, long now) {
    String value = cookie(cookieHeader);
    if (value == null) {
      return Optional.empty();
    }
    int last = value.lastIndexOf('.');
    int middle = last < 0 ? -1 : value.lastIndexOf('.', last - 1);
    if (middle <= 0) {
      return Optional.empty();
    }
    String signed = value.substring(0, last);
    if (!MessageDigest.isEqual(
        sign(signed).getBytes(StandardCharsets.US_ASCII),
        value.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    long expiry;
    try {
      expiry = Long.parseLong(value.substring(middle + 1, last));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (now >= expiry) {
      return Optional.empty();
    }
    return users.current(now).account(value.substring(0, middle)).filter(a -> a.role().person());
  }

  private static String cookie(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(";")) {
      String p = part.strip();
      if (p.startsWith(COOKIE + "=")) {
        return p.substring(COOKIE.length() + 1);
      }
    }
    return null;
  }

  private String sign(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(io.citybrain.users.Hmac.sha256(key, text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The {@code Set-Cookie} value: not readable by scripts, sent only to this console and never with
   * a request another site starts ({@code SameSite=Strict}), over TLS only when the console serves
   * TLS (behind an ingress that terminates TLS, the ingress's cookie policy applies).
   */
  static String setCookie(String value, boolean secure, Duration maxAge) {
    return COOKIE
        + "="
        + value
        + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
        + maxAge.toSeconds()
        + (secure ? "; Secure" : "");
  }
}
