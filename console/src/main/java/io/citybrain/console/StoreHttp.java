package io.citybrain.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What every dialect's reader shares: the store's base URL, the {@code Authorization} header its
 * settings ask for, and one JDK HTTP client (thread-safe, as the readers are).
 */
abstract class StoreHttp implements IndicatorReader {

  protected final String baseUrl;
  protected final ObjectMapper json;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  StoreHttp(ConsoleSettings.Store store, ObjectMapper json) {
    String url = store.url();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.authorization = IndicatorReader.authorization(store);
    this.json = json;
  }

  /** GETs {@code pathAndQuery} of the store; a refused account is an exception naming the store. */
  HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new IOException(
          "the store at "
              + baseUrl
              + " refused the console's credentials (HTTP "
              + response.statusCode()
              + ")");
    }
    return response;
  }
}
