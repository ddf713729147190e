package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of one regular-file entry as handed to the seam: at most the header's size, with the
 * wall-time limit checked every MiB. A failure or early end of the tar stream is remembered so the
 * rules can report it as a truncated layer (INVALID_INPUT) rather than a filesystem error.
 */
final class EntryContent extends InputStream {
  private static final long CHECK_EVERY = 1 << 20;

  private final InputStream tar;
  private final Deadline deadline;
  private final String what;
  private long left;
  private long sinceCheck;
  private IOException sourceFailure;
  private boolean endedEarly;

  EntryContent(InputStream tar, long size, Deadline deadline, String what) {
    this.tar = tar;
    this.left = size;
    this.deadline = deadline;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int r = read(one, 0, 1);
    return r < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (left <= 0) {
      return -1;
    }
    int r;
    try {
      r = tar.read(b, off, (int) Math.min(len, left));
    } catch (IOException e) {
      sourceFailure = e;
      throw e;
    } catch (RuntimeException e) {
      if (e instanceof ThinImageException) {
        throw e;
      }
      sourceFailure = new IOException(e);
      throw sourceFailure;
    }
    if (r < 0) {
      endedEarly = true;
      return -1;
    }
    left -= r;
    sinceCheck += r;
    if (sinceCheck >= CHECK_EVERY) {
      sinceCheck = 0;
      deadline.check(what);
    }
    return r;
  }

  /**
   * After the filesystem failed to store the entry: blames the layer only if the tar stream itself
   * failed or ended early. Bytes still unread are the filesystem's doing (a full disk stops the
   * copy mid-file), so the caller reports its own I/O error instead of a truncated layer.
   */
  void rethrowIfSourceFailed() {
    if (sourceFailure != null || endedEarly) {
      rethrowSourceFailure();
    }
  }

  /** Turns a failure of the tar stream (not of the filesystem) into a typed error. */
  void rethrowSourceFailure() {
    if (sourceFailure != null || endedEarly || left > 0) {
      throw ThinImageException.invalid(
          "layer-truncated",
          what
              + " ends "
              + left
              + " bytes before its declared size"
              + (sourceFailure == null ? "" : ": " + sourceFailure.getMessage()));
    }
  }
}
