package io.citybrain.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the console (issue 23: the local city must be no door into the machine). Loopback
 * alone does not keep a web page out: the operator's browser is on loopback too. So:
 *
 * <ul>
 *   <li>the {@code Host} header must name the console ({@code 127.0.0.1}, {@code localhost}, {@code
 *       [::1]} or a configured name, with its port): a DNS-rebinding page reaches the port under
 *       its own name and is refused;
 *   <li>a state change (any method but GET and HEAD) must come from the console's own origin
 *       ({@code Origin}, or {@code Referer} without it) and carry the random token printed with the
 *       console's URL in {@link #HEADER}; a page elsewhere has neither.
 * </ul>
 *
 * Real logins come with issue 20's second step; until then the token is the key: random per start
 * in the local city, from a Secret ({@code CITYBRAIN_CONSOLE_TOKEN}) for the console service, and a
 * console without one is read-only. Immutable and thread-safe.
 */
final class ConsoleDoor {

  /** The request header the page sends the token in. */
  static final String HEADER = "X-Citybrain-Token";

  /**
   * The page's policy: its own scripts, styles, images and fetches only (Leaflet is served from the
   * jar and the map draws the city's own layers: no tile server), no inline script, no framing.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Set<String> hosts = new LinkedHashSet<>();
  private final Set<String> origins = new LinkedHashSet<>();
  private final byte[] token;

  /** People sign in (issue 20): the session, which the server checks, replaces the token. */
  private final boolean logins;

  /**
   * @param scheme {@code http}, or {@code https} when the console serves TLS itself
   * @param port the port the console listens on
   * @param extraHosts host names besides the loopback ones, lower case, without port
   * @param publicUrls origins a browser reaches the console by through a proxy or an ingress
   * @param token the token state changes need, or null: the console is read-only (unless {@code
   *     logins})
   * @param logins whether people sign in: then a state change needs the same origin here and a
   *     session, which the server checks, instead of the token
   */
  ConsoleDoor(
      String scheme,
      int port,
      List<String> extraHosts,
      List<java.net.URI> publicUrls,
      String token,
      boolean logins) {
    List<String> names = new java.util.ArrayList<>(List.of("127.0.0.1", "localhost", "[::1]"));
    names.addAll(extraHosts);
    int defaultPort = scheme.equals("https") ? 443 : 80;
    for (String name : names) {
      hosts.add(name + ":" + port);
      origins.add(scheme + "://" + name + ":" + port);
      if (port == defaultPort) {
        // A browser leaves the default port out of Host and Origin.
        hosts.add(name);
        origins.add(scheme + "://" + name);
      }
    }
    for (java.net.URI u : publicUrls) {
      String host = u.getHost().toLowerCase(Locale.ROOT);
      boolean defaulted =
          u.getPort() == -1 || u.getPort() == (u.getScheme().equals("https") ? 443 : 80);
      String authority = defaulted ? host : host + ":" + u.getPort();
      hosts.add(authority);
      origins.add(u.getScheme().toLowerCase(Locale.ROOT) + "://" + authority);
    }
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.logins = logins;
  }

  /** 192 random bits, URL-safe: it travels in the console's URL. */
  static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Why a request with this {@code Host} header is refused, or null when it names the console. */
  String refuseHost(String host) {
    if (host == null || host.isBlank()) {
      return "no Host header: the console answers only requests naming it";
    }
    if (!hosts.contains(host.strip().toLowerCase(Locale.ROOT))) {
      return "the console does not answer to Host '"
          + host.strip()
          + "'; it answers to "
          + String.join(", ", hosts)
          + " (add a name with console.hosts, or the address behind a proxy with console.public-urls)";
    }
    return null;
  }

  /**
   * Why this state change is refused, or null when it may go on.
   *
   * @param origin the request's {@code Origin} header, or null
   * @param referer its {@code Referer}, or null (read only without {@code Origin})
   * @param sentToken its {@link #HEADER}, or null
   */
  String refuseChange(String origin, String referer, String sentToken) {
    if (origin != null) {
      if (!origins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
        return "a state change from origin '"
            + origin.strip()
            + "' is refused: only the console's own page may make one";
      }
    } else if (referer != null) {
      String r = referer.strip().toLowerCase(Locale.ROOT);
      if (origins.stream().noneMatch(o -> r.equals(o) || r.startsWith(o + "/"))) {
        return "a state change from a page elsewhere (Referer '"
            + referer.strip()
            + "') is refused";
      }
    }
    if (logins) {
      return null;
    }
    if (token == null) {
      return "this console is read-only: it was started without a token (CITYBRAIN_CONSOLE_TOKEN)";
    }
    // Without either header it is no browser's cross-site request; the token decides.
    if (sentToken == null || sentToken.isEmpty()) {
      return "a state change needs the console's token in the "
          + HEADER
          + " header: open the console with the URL the local city printed (…/?token=…)";
    }
    if (!MessageDigest.isEqual(token, sentToken.strip().getBytes(StandardCharsets.UTF_8))) {
      return "wrong console token in "
          + HEADER
          + ": open the console with the URL the local city printed";
    }
    return null;
  }
}
