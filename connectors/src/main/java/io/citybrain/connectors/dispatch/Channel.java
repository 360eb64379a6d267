package io.citybrain.connectors.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citybrain.contract.Alert;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One place alerts are sent besides MQTT (issue 20): a group robot or a webhook, in the message
 * format its receiver documents, for the communities and districts it serves.
 *
 * <ul>
 *   <li>{@code generic}: the alert's JSON (contract v1), signed when there is a secret: {@code
 *       X-Citybrain-Timestamp: <epoch ms>} and {@code X-Citybrain-Signature: sha256=<hex>}, the
 *       HMAC-SHA256 of {@code <timestamp>.<body>} with the secret (the timestamp inside the MAC, so
 *       a captured call cannot be replayed later as new).
 *   <li>{@code dingtalk}: a DingTalk group robot: {@code
 *       {"msgtype":"text","text":{"content":...}}}; with a secret ("加签"), {@code
 *       &timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of "<ms>\n<secret>">} added to the URL,
 *       as DingTalk's open platform documents it. DingTalk answers HTTP 200 with {@code errcode} 0
 *       when it took the message; any other errcode is a failure.
 *   <li>{@code wecom}: a WeCom (企业微信) group robot, the key in its URL: the same text message, and
 *       the same {@code errcode} rule.
 *   <li>{@code email}: {@code mailto:a@x,b@y}, sent through the dispatcher's SMTP server ({@link
 *       DispatchSettings.Smtp}, {@link Mailer}): the same text, the level, kind and place in the
 *       subject.
 * </ul>
 *
 * @param communities community ids whose alerts go here; with {@code districts} empty too, every
 *     alert
 * @param districts district codes whose alerts go here
 */
public record Channel(
    String name,
    Format format,
    URI url,
    char[] secret,
    Set<String> communities,
    Set<String> districts) {

  /** The receivers' message formats. */
  public enum Format {
    GENERIC,
    DINGTALK,
    WECOM,
    EMAIL
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public Channel {
    if (format == Format.EMAIL) {
      if (url == null || !"mailto".equals(url.getScheme()) || url.getSchemeSpecificPart() == null) {
        throw new IllegalArgumentException(
            "channel '" + name + "': an email channel's url is mailto:<address>[,<address>...]");
      }
      // Checked now, strictly, so that a bad address stops the dispatcher at start, not every send
      // later.
      if (addresses(name, url).isEmpty()) {
        throw new IllegalArgumentException("channel '" + name + "': mailto: names no address");
      }
    } else if (url == null
        || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "channel '" + name + "': url must be an http:// or https:// URL");
    }
    communities = Set.copyOf(communities == null ? Set.of() : communities);
    districts = Set.copyOf(districts == null ? Set.of() : districts);
  }

  /** Whether {@code alert} goes to this channel. */
  public boolean serves(Alert alert) {
    if (communities.isEmpty() && districts.isEmpty()) {
      return true;
    }
    return alert.community() != null && communities.contains(alert.community())
        || districts.contains(alert.district());
  }

  /** An e-mail channel's addresses. */
  List<jakarta.mail.internet.InternetAddress> recipients() {
    return addresses(name, url);
  }

  private static List<jakarta.mail.internet.InternetAddress> addresses(String name, URI mailto) {
    List<jakarta.mail.internet.InternetAddress> out = new ArrayList<>();
    for (String a : mailto.getSchemeSpecificPart().split(",")) {
      if (a.isBlank()) {
        continue;
      }
      try {
        out.add(new jakarta.mail.internet.InternetAddress(a.strip(), true));
      } catch (jakarta.mail.internet.AddressException e) {
        throw new IllegalArgumentException(
            "channel '" + name + "': '" + a.strip() + "' is not an e-mail address");
      }
    }
    return out;
  }

  /** An e-mail's subject: level, kind and place, so a mailbox list reads like the console's. */
  static String subject(Alert a) {
    return "【citybrain】"
        + a.severity().toUpperCase(Locale.ROOT)
        + " "
        + a.kind()
        + " · "
        + a.district()
        + (a.community() == null ? "" : " / " + a.community())
        + " · "
        + a.state();
  }

  /** Where to POST now: the URL, signed for DingTalk when there is a secret. */
  URI target(long nowMillis) {
    if (format != Format.DINGTALK || secret == null) {
      return url;
    }
    String sign =
        Base64.getEncoder().encodeToString(hmac(secret, nowMillis + "\n" + new String(secret)));
    return URI.create(
        url
            + (url.getRawQuery() == null ? "?" : "&")
            + "timestamp="
            + nowMillis
            + "&sign="
            + URLEncoder.encode(sign, StandardCharsets.UTF_8));
  }

  /** The request body for {@code alert}, whose contract JSON is {@code json}. */
  byte[] body(Alert alert, byte[] json) {
    if (format == Format.GENERIC) {
      return json;
    }
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("content", text(alert));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("msgtype", "text");
    message.put("text", text);
    try {
      return JSON.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a text message", e);
    }
  }

  /** Headers beyond the content type: the generic format's signature when there is a secret. */
  Map<String, String> headers(byte[] body, long nowMillis) {
    if (format != Format.GENERIC || secret == null) {
      return Map.of();
    }
    return Map.of(
        "X-Citybrain-Timestamp",
        String.valueOf(nowMillis),
        "X-Citybrain-Signature",
        "sha256=" + signature(secret, nowMillis, body));
  }

  /** The generic format's signature: hex HMAC-SHA256 of {@code <timestamp>.<body>}. */
  static String signature(char[] secret, long nowMillis, byte[] body) {
    byte[] prefix = (nowMillis + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return HexFormat.of().formatHex(hmac(secret, signed));
  }

  /**
   * Empty when the robot's answer says it took the message; else why not (DingTalk and WeCom answer
   * 200 with an errcode).
   */
  java.util.Optional<String> refusal(byte[] answer) {
    if (format == Format.GENERIC) {
      return java.util.Optional.empty();
    }
    try {
      JsonNode a = JSON.readTree(answer);
      return a.path("errcode").asInt(-1) == 0
          ? java.util.Optional.empty()
          : java.util.Optional.of(
              "errcode " + a.path("errcode").asText("?") + ": " + a.path("errmsg").asText(""));
    } catch (IOException e) {
      return java.util.Optional.of("an answer that is not JSON");
    }
  }

  /**
   * The text a person reads in the group: level, kind, place, the alert's own (bilingual) message,
   * state and id.
   */
  static String text(Alert a) {
    return "【citybrain】"
        + a.severity().toUpperCase(Locale.ROOT)
        + " · "
        + a.kind()
        + " · "
        + a.district()
        + (a.community() == null ? "" : " / " + a.community())
        + "\n"
        + (a.message() == null ? "" : a.message() + "\n")
        + a.state()
        + (a.acknowledgedBy() == null ? "" : " (" + a.acknowledgedBy() + ")")
        + " · "
        + a.alertId();
  }

  private static byte[] hmac(char[] secret, String data) {
    return hmac(secret, data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(char[] secret, byte[] data) {
    return io.citybrain.users.Hmac.sha256(
        new String(secret).getBytes(StandardCharsets.UTF_8), data);
  }

  /**
   * Reads the channels file: a JSON array of {@code {"name", "format" (generic|dingtalk|wecom),
   * "url", "secret" (optional), "communities" and "districts" (optional arrays)}}. It holds keys
   * and secrets, so it comes from a mounted Secret, never from a setting. A bad entry fails naming
   * the file, the entry and the field, never a value.
   */
  public static List<Channel> read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "dispatch.channels.file " + file + " cannot be read as JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(
          "dispatch.channels.file " + file + " must hold a JSON array of channels");
    }
    List<Channel> channels = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode c = root.get(i);
      String where = "dispatch.channels.file " + file + " entry " + i + ": ";
      String name = c.path("name").asText("");
      if (!name.matches("[A-Za-z0-9._-]{1,64}") || !names.add(name)) {
        throw new IllegalArgumentException(where + "name must be a unique [A-Za-z0-9._-]{1,64}");
      }
      Format format;
      try {
        format = Format.valueOf(c.path("format").asText("generic").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            where + "format must be generic, dingtalk, wecom or email");
      }
      URI url;
      try {
        url = URI.create(c.path("url").asText(""));
      } catch (IllegalArgumentException e) {
        // The URL may hold a key: name the field, not the value.
        throw new IllegalArgumentException(where + "url is not a URL");
      }
      String secret = c.path("secret").asText(null);
      try {
        channels.add(
            new Channel(
                name,
                format,
                url,
                secret == null || secret.isEmpty() ? null : secret.toCharArray(),
                strings(c.path("communities")),
                strings(c.path("districts"))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    return List.copyOf(channels);
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  @Override
  public String toString() {
    // The URL's query (a robot's access token or key) and the secret stay out of logs.
    return "Channel["
        + name
        + ", "
        + format.name().toLowerCase(Locale.ROOT)
        + ", "
        + (format == Format.EMAIL
            ? recipients().size() + " address(es)"
            : DispatchSettings.redacted(url))
        + (secret == null ? "" : ", signed")
        + (communities.isEmpty() ? "" : ", communities " + communities)
        + (districts.isEmpty() ? "" : ", districts " + districts)
        + "]";
  }
}
