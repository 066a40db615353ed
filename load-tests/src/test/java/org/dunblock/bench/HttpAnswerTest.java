package org.dunblock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpAnswerTest {
  private static int complete(String received) {
    ByteBuffer in = ByteBuffer.allocate(4096);
    in.put(received.getBytes(StandardCharsets.US_ASCII));
    return HttpAnswer.complete(in);
  }

  @Test
  void anAnswerIsCompleteOnceItsContentLengthHasArrived() {
    String answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}";
    assertEquals(200, complete(answer));
    assertEquals(HttpAnswer.INCOMPLETE, complete(answer.substring(0, answer.length() - 1)));
    assertEquals(HttpAnswer.INCOMPLETE, complete(answer.substring(0, answer.indexOf("\r\n\r\n") + 2)));
    assertEquals(HttpAnswer.INCOMPLETE, complete(""));
  }

  @Test
  void theStatusIsRead() {
    assertEquals(429, complete("HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n"));
    assertEquals(503, complete("HTTP/1.1 503 Service Unavailable\r\nCONTENT-LENGTH:2\r\n\r\n{}"));
  }

  @Test
  void aChunkedAnswerIsCompleteAtItsLastChunk() {
    String answer = "HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\na\r\n0123456789\r\n0\r\n\r\n";
    assertEquals(202, complete(answer));
    assertEquals(HttpAnswer.INCOMPLETE, complete(answer.substring(0, answer.length() - 2)));
    assertEquals(HttpAnswer.INCOMPLETE, complete(answer.substring(0, answer.indexOf("0123"))));
  }

  @Test
  void anAnswerWithoutFramingOrStatusLineIsMalformed() {
    assertEquals(HttpAnswer.MALFORMED, complete("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nbody"));
    assertEquals(HttpAnswer.MALFORMED, complete("garbage garbage\r\ncontent-length: 0\r\n\r\n"));
  }
}
