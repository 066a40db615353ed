package org.dunblock.server.imports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Uploads a list to POST /v1/admin/import over a plain JDK client (streamed bodies, Content-Encoding as given). */
final class ImportUploads {
  private ImportUploads() {
  }

  /** A CSV upload with the admin key; {@code encoding} (e.g. gzip) may be null. */
  static HttpResponse<String> post(HttpClient http, String baseUrl, String adminKey, String query,
      HttpRequest.BodyPublisher body, String encoding) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/admin/import?" + query))
        .header("Authorization", "Bearer " + adminKey)
        .header("Content-Type", "text/csv")
        .timeout(Duration.ofSeconds(60))
        .POST(body);
    if (encoding != null) {
      request.header("Content-Encoding", encoding);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
