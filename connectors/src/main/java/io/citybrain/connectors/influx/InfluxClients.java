package io.citybrain.connectors.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import okhttp3.OkHttpClient;

/**
 * influxdb-client-java clients for {@link InfluxSettings}, with either kind of credentials its
 * {@code influx.token} may hold: an InfluxDB token (sent as {@code Authorization: Token ...}) or,
 * beginning with {@value #BASIC}, a store's HTTP basic authentication sent as it is (QuestDB's
 * {@code http.user}/{@code http.password}, which the local city's store requires: issue 23).
 */
public final class InfluxClients {

  /** The prefix of a token that is a basic-authentication header. */
  public static final String BASIC = "Basic ";

  private InfluxClients() {}

  /** A client with these settings' url, org, bucket and credentials, over {@code http}. */
  public static InfluxDBClient create(InfluxSettings settings, OkHttpClient.Builder http) {
    InfluxDBClientOptions.Builder options =
        InfluxDBClientOptions.builder()
            .url(settings.url())
            .org(settings.org())
            .bucket(settings.bucket());
    String token = settings.token();
    if (token.startsWith(BASIC)) {
      // The client knows only its own token scheme and session sign-in; the header is set on every
      // request.
      http.addInterceptor(
          chain ->
              chain.proceed(chain.request().newBuilder().header("Authorization", token).build()));
    } else {
      options.authenticateToken(token.toCharArray());
    }
    return InfluxDBClientFactory.create(options.okHttpClient(http).build());
  }
}
