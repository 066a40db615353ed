package org.dunblock.server.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body of at most a given size, for routes that check the caller before any of the body is read
 * (Vert.x runs a BodyHandler before every other handler of a route). The request must have been paused until then.
 */
public final class BoundedBody {
  private BoundedBody() {
  }

  /** The whole body; fails with 413 body_too_large as soon as it is larger than {@code maxBytes}. */
  public static Future<Buffer> read(HttpServerRequest request, int maxBytes) {
    String declared = request.getHeader("Content-Length");
    if (declared != null && declared.length() > 0 && declared.chars().allMatch(Character::isDigit)
        && (declared.length() > 18 || Long.parseLong(declared) > maxBytes)) {
      return Future.failedFuture(tooLarge(maxBytes));
    }
    Promise<Buffer> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    request.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      if (collected.length() + chunk.length() > maxBytes) {
        body.tryFail(tooLarge(maxBytes));
        return;
      }
      collected.appendBuffer(chunk);
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(v -> body.tryComplete(collected));
    request.resume();
    return body.future();
  }

  private static ApiException tooLarge(int maxBytes) {
    return new ApiException(413, "body_too_large", "The body is larger than the " + maxBytes + " bytes accepted here.");
  }
}
