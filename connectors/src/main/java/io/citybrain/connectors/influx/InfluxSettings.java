package io.citybrain.connectors.influx;

import java.io.Serializable;

/**
 * Where the indicators go: an InfluxDB 2.x/3.x (or the embedded QuestDB, which accepts the same v2
 * write API and ignores org). Validated on construction; errors name the key.
 *
 * <p>{@code token} is an InfluxDB token, or for a store with HTTP basic authentication (the local
 * city's QuestDB) the header {@code Basic <base64 of user:password>}: see {@link InfluxClients}.
 */
public record InfluxSettings(String url, String org, String bucket, String token)
    implements Serializable {

  public static final String URL_KEY = "influx.url";
  public static final String ORG_KEY = "influx.org";
  public static final String BUCKET_KEY = "influx.bucket";
  public static final String TOKEN_KEY = "influx.token";

  public InfluxSettings {
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      throw new IllegalArgumentException(
          URL_KEY + " must be an http:// or https:// URL, got '" + url + "'");
    }
    if (org == null || org.isBlank()) {
      throw new IllegalArgumentException(ORG_KEY + " must be set");
    }
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException(BUCKET_KEY + " must be set");
    }
    if (token == null) {
      throw new IllegalArgumentException(
          TOKEN_KEY + " must be set (any value for the embedded store)");
    }
  }

  @Override
  public String toString() {
    return "InfluxSettings[url=" + url + ", org=" + org + ", bucket=" + bucket + ", token=***]";
  }
}
