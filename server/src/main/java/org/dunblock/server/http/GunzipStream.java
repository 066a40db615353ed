package org.dunblock.server.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A request body sent with {@code Content-Encoding: gzip}, inflated as it streams in (RFC 1952, several members one
 * after the other allowed). Back-pressure passes through: while the consumer has paused this stream, no more is
 * inflated and the request is paused, so memory stays bounded by one chunk of input and {@link #OUT} of output,
 * however well the body compresses. A body that is not gzip, or is cut short, fails the stream with a 400.
 *
 * <p>Memory is bounded, but time is not: a small body that inflates to gigabytes (a zip bomb) would keep the event
 * loop inflating. So past the first {@link #FREE_BYTES} of output, a body whose output outgrows {@code maxRatio}
 * times the compressed bytes received so far fails with 413 {@code gzip_ratio_too_high}. Text compresses about 5 to
 * 15 times; deflate can reach about 1000.
 */
public final class GunzipStream implements ReadStream<Buffer> {
  /** Output handed on per step. */
  static final int OUT = 64 * 1024;
  /** Output allowed before the ratio is checked (a short body's header and first lines compress well). */
  static final long FREE_BYTES = 1024 * 1024;

  private final ReadStream<Buffer> source;
  /** The request's context (null outside Vert.x, in unit tests: then a resume inflates at once). */
  private final Context context;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final byte[] out = new byte[OUT];
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  /** Compressed input not yet consumed (header bytes, deflate data, trailer). */
  private byte[] pending = new byte[0];
  private State state = State.HEADER;
  private long demand = Long.MAX_VALUE;
  private boolean sourceEnded;
  private boolean done;
  private boolean sawMember;
  private long memberBytes;
  private final int maxRatio;
  private long compressedIn;
  private long inflatedOut;

  private enum State {
    HEADER,
    DATA,
    TRAILER
  }

  /** @param maxRatio the most output per compressed byte received, past the first {@link #FREE_BYTES} */
  public GunzipStream(ReadStream<Buffer> source, int maxRatio) {
    this.source = source;
    this.context = Vertx.currentContext();
    this.maxRatio = maxRatio;
  }

  @Override
  public GunzipStream handler(Handler<Buffer> h) {
    this.handler = h;
    if (h == null) {
      source.handler(null);
      return this;
    }
    source.handler(chunk -> {
      compressedIn += chunk.length();
      pending = concat(pending, chunk.getBytes());
      pump();
    });
    source.endHandler(v -> {
      sourceEnded = true;
      pump();
    });
    source.exceptionHandler(this::fail);
    return this;
  }

  @Override
  public GunzipStream pause() {
    demand = 0;
    source.pause();
    return this;
  }

  @Override
  public GunzipStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  /**
   * Inflates on a later turn of the event loop, as Vert.x's own streams deliver after a resume: a consumer such as
   * {@link io.vertx.core.parsetools.RecordParser} resumes its source from inside its own parsing and does not
   * re-enter itself, so output handed to it from within this call would pile up unparsed (and, past its record
   * limit, read as one over-long line).
   */
  @Override
  public GunzipStream fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand == Long.MAX_VALUE ? Long.MAX_VALUE : demand + amount;
    if (context == null) {
      resumeNow();
    } else {
      context.runOnContext(v -> resumeNow());
    }
    return this;
  }

  private void resumeNow() {
    pump();
    if (!done && demand > 0) {
      source.resume();
    }
  }

  @Override
  public GunzipStream endHandler(Handler<Void> h) {
    this.endHandler = h;
    return this;
  }

  @Override
  public GunzipStream exceptionHandler(Handler<Throwable> h) {
    this.exceptionHandler = h;
    return this;
  }

  /** Inflates what is buffered while the consumer wants more; ends or fails when the body allows it. */
  private void pump() {
    try {
      while (!done && demand > 0) {
        if (state == State.HEADER) {
          int length = pending.length == 0 ? -1 : headerLength(pending);
          if (length < 0) {
            break;
          }
          pending = tail(pending, length);
          inflater.reset();
          crc.reset();
          memberBytes = 0;
          state = State.DATA;
          sawMember = true;
        } else if (state == State.DATA) {
          if (inflater.needsInput()) {
            if (pending.length == 0) {
              break;
            }
            lastInput = pending;
            inflater.setInput(lastInput);
            pending = new byte[0];
          }
          int n = inflater.inflate(out);
          if (n > 0) {
            crc.update(out, 0, n);
            memberBytes += n;
            inflatedOut += n;
            if (inflatedOut > FREE_BYTES && inflatedOut > (long) maxRatio * compressedIn) {
              fail(new ApiException(413, "gzip_ratio_too_high", "The body inflates to more than " + maxRatio
                  + " times its compressed size, which no list does; it was not read further. Send it uncompressed."));
              return;
            }
            emit(Buffer.buffer(java.util.Arrays.copyOf(out, n)));
          }
          if (inflater.finished()) {
            int remaining = inflater.getRemaining();
            pending = concat(java.util.Arrays.copyOfRange(lastInput, lastInput.length - remaining, lastInput.length),
                pending);
            state = State.TRAILER;
          } else if (n == 0 && inflater.needsDictionary()) {
            throw new DataFormatException("a preset dictionary");
          } else if (n == 0 && !inflater.needsInput()) {
            break;
          }
        } else {
          if (pending.length < 8) {
            break;
          }
          if (le32(pending, 0) != crc.getValue() || le32(pending, 4) != (memberBytes & 0xffffffffL)) {
            throw new DataFormatException("checksum mismatch");
          }
          pending = tail(pending, 8);
          state = State.HEADER;
        }
      }
      if (!done && sourceEnded && demand > 0) {
        if (state == State.HEADER && pending.length == 0 && sawMember) {
          done = true;
          inflater.end();
          if (endHandler != null) {
            endHandler.handle(null);
          }
        } else {
          throw new DataFormatException(sawMember ? "cut short" : "empty");
        }
      }
    } catch (DataFormatException e) {
      fail(ApiException.badRequest("invalid_gzip", "The body is not a complete gzip stream (" + e.getMessage()
          + ")."));
    }
  }

  /** What the inflater was last given; after the end of a member its unread tail starts the trailer. */
  private byte[] lastInput = new byte[0];

  private void emit(Buffer buffer) {
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    if (handler != null) {
      handler.handle(buffer);
    }
  }

  private void fail(Throwable error) {
    if (done) {
      return;
    }
    done = true;
    inflater.end();
    if (exceptionHandler != null) {
      exceptionHandler.handle(error);
    }
  }

  /** The length of the gzip member header at the start of {@code b}; -1 while incomplete. */
  static int headerLength(byte[] b) throws DataFormatException {
    if (b.length < 10) {
      if (b.length >= 1 && (b[0] & 0xff) != 0x1f || b.length >= 2 && (b[1] & 0xff) != 0x8b) {
        throw new DataFormatException("not gzip");
      }
      return -1;
    }
    if ((b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b || b[2] != 8) {
      throw new DataFormatException("not gzip");
    }
    int flags = b[3] & 0xff;
    int at = 10;
    if ((flags & 4) != 0) {
      if (b.length < at + 2) {
        return -1;
      }
      at += 2 + ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8);
    }
    for (int bit : new int[] {8, 16}) {
      if ((flags & bit) != 0) {
        while (at < b.length && b[at] != 0) {
          at++;
        }
        if (at >= b.length) {
          return -1;
        }
        at++;
      }
    }
    if ((flags & 2) != 0) {
      at += 2;
    }
    return at <= b.length ? at : -1;
  }

  private static long le32(byte[] b, int at) {
    return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    ByteArrayOutputStream joined = new ByteArrayOutputStream(a.length + b.length);
    joined.writeBytes(a);
    joined.writeBytes(b);
    return joined.toByteArray();
  }

  private static byte[] tail(byte[] b, int from) {
    return java.util.Arrays.copyOfRange(b, from, b.length);
  }
}
