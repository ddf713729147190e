package io.thinimage.core.layer;

import io.thinimage.core.domain.ThinImageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Counts (and optionally hashes) every byte that passes, failing with {@code layer-too-large} as
 * soon as more than {@code cap} bytes have been read, so neither a huge blob nor a decompression
 * bomb is read past the limit.
 */
final class CappedStream extends FilterInputStream {
  private final long cap;
  private final MessageDigest digest;
  private final String what;
  private long count;

  CappedStream(InputStream in, long cap, MessageDigest digest, String what) {
    super(in);
    this.cap = cap;
    this.digest = digest;
    this.what = what;
  }

  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int r = read(one, 0, 1);
    return r < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int r = in.read(b, off, len);
    if (r > 0) {
      count += r;
      if (count > cap) {
        throw ThinImageException.invalid(
            "layer-too-large", what + " is larger than the layer limit of " + cap + " bytes");
      }
      if (digest != null) {
        digest.update(b, off, r);
      }
    }
    return r;
  }

  @Override
  public long skip(long n) throws IOException {
    // Every byte must be hashed and counted, so skipping reads.
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    int r = read(buf, 0, buf.length);
    return Math.max(r, 0);
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
