package org.dunblock.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Recognises one complete HTTP/1.1 answer at the start of a read buffer ({@link OpenLoad}'s connections read into
 * it, so its position is the number of bytes read): enough of HTTP for a load generator to know when an answer has
 * fully arrived and with what status, without parsing headers into objects. Bodies are framed by Content-Length or
 * chunked transfer coding; an answer framed otherwise is refused, since its end cannot be told on a keep-alive
 * connection.
 */
final class HttpAnswer {
  /** Not all of the answer has arrived yet. */
  static final int INCOMPLETE = -1;
  /** Returned for an answer whose status line or framing cannot be read: counted as an error. */
  static final int MALFORMED = 0;

  private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

  private HttpAnswer() {
  }

  /** The answer's status once it is complete in {@code in} (bytes 0 to its position), else {@link #INCOMPLETE}. */
  static int complete(ByteBuffer in) {
    byte[] bytes = in.array();
    int end = in.position();
    int headEnd = indexOfBlankLine(bytes, 0, end);
    if (headEnd < 0) {
      return INCOMPLETE;
    }
    int status = status(bytes, headEnd);
    int bodyStart = headEnd + 4;
    long length = -1;
    boolean chunked = false;
    for (int line = lineAfter(bytes, 0, headEnd); line >= 0 && line < headEnd; line = lineAfter(bytes, line, headEnd)) {
      if (startsWithIgnoreCase(bytes, line, CONTENT_LENGTH)) {
        length = number(bytes, line + CONTENT_LENGTH.length, headEnd, 10);
      } else if (startsWithIgnoreCase(bytes, line, TRANSFER_ENCODING)) {
        chunked = true;
      }
    }
    if (chunked) {
      return chunkedEnd(bytes, bodyStart, end) < 0 ? INCOMPLETE : status;
    }
    if (length < 0) {
      return MALFORMED;
    }
    return bodyStart + length <= end ? status : INCOMPLETE;
  }

  /** "HTTP/1.1 200 ..." → 200; {@link #MALFORMED} if the line is not a status line. */
  private static int status(byte[] bytes, int headEnd) {
    if (headEnd < 12 || bytes[0] != 'H' || bytes[8] != ' ') {
      return MALFORMED;
    }
    long status = number(bytes, 9, 12, 10);
    return status < 100 ? MALFORMED : (int) status;
  }

  /** The end of the last chunk's CRLF, or -1 while the body is still arriving. */
  private static int chunkedEnd(byte[] bytes, int from, int end) {
    int at = from;
    while (at < end) {
      int lineEnd = indexOf(bytes, at, end, (byte) '\r');
      if (lineEnd < 0 || lineEnd + 1 >= end) {
        return -1;
      }
      long size = number(bytes, at, lineEnd, 16);
      if (size < 0) {
        return -1;
      }
      at = lineEnd + 2 + (int) size + 2;
      if (size == 0) {
        return at <= end ? at : -1;
      }
    }
    return -1;
  }

  /** A non-negative number in the given radix from {@code from}, skipping spaces and stopping at a non-digit. */
  private static long number(byte[] bytes, int from, int end, int radix) {
    long value = -1;
    for (int i = from; i < end; i++) {
      int digit = Character.digit(bytes[i], radix);
      if (digit < 0) {
        if (bytes[i] == ' ' && value < 0) {
          continue;
        }
        break;
      }
      value = (value < 0 ? 0 : value * radix) + digit;
    }
    return value;
  }

  private static int lineAfter(byte[] bytes, int from, int end) {
    int cr = indexOf(bytes, from, end, (byte) '\r');
    return cr < 0 ? -1 : cr + 2;
  }

  private static int indexOfBlankLine(byte[] bytes, int from, int end) {
    for (int i = from; i + 3 < end; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWithIgnoreCase(byte[] bytes, int at, byte[] lowerPrefix) {
    if (at + lowerPrefix.length > bytes.length) {
      return false;
    }
    for (int i = 0; i < lowerPrefix.length; i++) {
      if (Character.toLowerCase(bytes[at + i]) != lowerPrefix[i]) {
        return false;
      }
    }
    return true;
  }
}
