package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ThinImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The layer byte stream: hashes and caps the raw blob, recognises the encoding by its magic bytes,
 * decompresses gzip in-stream under the same cap, refuses other compressions and anything that does
 * not start like a tar, and at the end drains the blob to its last byte and checks the digest.
 */
final class LayerInput {
  private static final int BLOCK = 512;
  private static final byte[] GZIP = {0x1f, (byte) 0x8b};
  private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
  private static final byte[] XZ = {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
  private static final byte[] BZIP2 = {0x42, 0x5a, 0x68};

  private final BufferedInputStream raw;
  private final InputStream tar;
  private final String compression;
  private final MessageDigest sha;

  private LayerInput(
      BufferedInputStream raw, InputStream tar, String compression, MessageDigest sha) {
    this.raw = raw;
    this.tar = tar;
    this.compression = compression;
    this.sha = sha;
  }

  /** Wraps {@code layer}, sniffs it and returns the tar stream to parse. */
  static LayerInput open(InputStream layer, LayerLimits limits) {
    MessageDigest sha = BlobDigest.newSha256();
    BufferedInputStream raw =
        new BufferedInputStream(
            new CappedStream(layer, limits.maxLayerBytes(), sha, "layer blob"), 1 << 16);
    try {
      byte[] head = peek(raw, 6);
      if (startsWith(head, GZIP)) {
        InputStream gz = new GzipCompressorInputStream(raw, true);
        BufferedInputStream tar =
            new BufferedInputStream(
                new CappedStream(gz, limits.maxLayerBytes(), null, "decompressed layer"), 1 << 16);
        checkTarHead(tar);
        return new LayerInput(raw, tar, "gzip", sha);
      }
      if (startsWith(head, ZSTD) || startsWith(head, XZ) || startsWith(head, BZIP2)) {
        throw ThinImageException.invalid(
            "layer-compression-unsupported",
            "layer is zstd, xz or bzip2 compressed; only plain and gzip tar layers are accepted");
      }
      checkTarHead(raw);
      return new LayerInput(raw, raw, "none", sha);
    } catch (IOException e) {
      throw ThinImageException.invalid(
          "layer-malformed", "layer stream unreadable: " + e.getMessage());
    }
  }

  /** The tar byte stream (decompressed if needed). */
  InputStream tar() {
    return tar;
  }

  /** {@code "none"} or {@code "gzip"}. */
  String compression() {
    return compression;
  }

  /**
   * Reads the tar stream and then the raw blob to their ends (trailing padding and junk are part of
   * the blob) and checks the raw sha256 against {@code expected}.
   */
  BlobDigest finish(BlobDigest expected, Deadline deadline) {
    byte[] buf = new byte[1 << 16];
    try {
      while (tar.read(buf) >= 0) {
        deadline.check("end of layer");
      }
      while (raw.read(buf) >= 0) {
        deadline.check("end of layer");
      }
    } catch (IOException e) {
      throw ThinImageException.invalid(
          "layer-malformed", "layer stream unreadable after the last entry: " + e.getMessage());
    }
    BlobDigest actual = BlobDigest.of(sha.digest());
    if (!actual.equals(expected)) {
      throw ThinImageException.invalid(
          "layer-digest-mismatch", "layer digest is " + actual + ", expected " + expected);
    }
    return actual;
  }

  private static byte[] peek(BufferedInputStream in, int n) throws IOException {
    in.mark(n);
    byte[] b = in.readNBytes(n);
    in.reset();
    return b;
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    return head.length >= magic.length && Arrays.equals(Arrays.copyOf(head, magic.length), magic);
  }

  /**
   * The first block must be a ustar/GNU header (magic {@code "ustar"} at offset 257) or the zero
   * block of an empty archive; an empty or shorter stream is not a layer.
   */
  private static void checkTarHead(BufferedInputStream in) throws IOException {
    byte[] head = peek(in, BLOCK);
    if (head.length == 0) {
      throw ThinImageException.invalid("layer-not-a-tar", "layer stream is empty");
    }
    if (head.length < BLOCK) {
      throw ThinImageException.invalid(
          "layer-truncated", "layer stream ends inside the first tar header");
    }
    boolean zero = true;
    for (byte b : head) {
      zero &= b == 0;
    }
    String magic = new String(head, 257, 5, StandardCharsets.US_ASCII);
    if (!zero && !magic.equals("ustar")) {
      throw ThinImageException.invalid(
          "layer-not-a-tar", "layer stream is not a tar archive (no ustar header)");
    }
  }
}
