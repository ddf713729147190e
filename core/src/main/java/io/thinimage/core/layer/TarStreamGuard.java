package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed tar stream as the tar reader sees it. It fills every read completely unless the
 * stream ends (the tar reader assumes so when it reads sparse files; a short read would make it
 * move on to the next extent early), checks the wall-time limit every 16 MiB, skipped bytes
 * included, and bounds the one piece of tar metadata the reader takes straight from this stream
 * rather than from an entry: the PAX 1.0 sparse map at the start of a sparse file's data, a list of
 * decimal lines the reader parses byte by byte with {@code read()} and keeps whole.
 *
 * <p>Single-byte {@code read()} calls come only from that sparse-map parser (everything else reads
 * blocks), so a run of them is a map: its first line is the number of extents, then two lines per
 * extent. The run is refused with {@code layer-sparse-map-too-large} as soon as the count, or the
 * lines, exceed {@link LayerLimits#maxSparseMapEntries()}.
 */
final class TarStreamGuard extends FilterInputStream {
  private static final long CHECK_EVERY = 16L << 20;

  private final LayerLimits limits;
  private final Deadline deadline;
  private long sinceCheck;

  /** Lines of the single-byte run so far; -1 when not inside a run. */
  private long lines = -1;

  private long firstNumber;
  private boolean firstLine;

  TarStreamGuard(InputStream in, LayerLimits limits, Deadline deadline) {
    super(in);
    this.limits = limits;
    this.deadline = deadline;
  }

  @Override
  public int read() throws IOException {
    if (lines < 0) {
      lines = 0;
      firstNumber = 0;
      firstLine = true;
    }
    int c = in.read();
    if (c < 0) {
      return c;
    }
    passed(1);
    long max = limits.maxSparseMapEntries();
    if (c == '\n') {
      lines++;
      firstLine = false;
      if (lines > 2 * max + 1) {
        throw tooLarge("more than " + max + " extents in a sparse map");
      }
    } else if (firstLine && c >= '0' && c <= '9') {
      firstNumber = firstNumber * 10 + (c - '0');
      if (firstNumber > max) {
        throw tooLarge("a sparse map of more than " + max + " extents");
      }
    }
    return c;
  }

  private static ThinImageException tooLarge(String what) {
    return ThinImageException.invalid(
        "layer-sparse-map-too-large", what + " (limit maxSparseMapEntries)");
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    lines = -1;
    if (len == 0) {
      return 0;
    }
    int total = 0;
    while (total < len) {
      int r = in.read(b, off + total, len - total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    passed(total);
    return total == 0 ? -1 : total;
  }

  @Override
  public long skip(long n) throws IOException {
    lines = -1;
    long s = in.skip(n);
    passed(s);
    return s;
  }

  private void passed(long n) {
    sinceCheck += n;
    if (sinceCheck >= CHECK_EVERY) {
      sinceCheck = 0;
      deadline.check("tar stream");
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // not supported: the tar reader must not rewind past what was checked
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }
}
