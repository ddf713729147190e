package io.thinimage.adapters.s3;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ObjectStore.Download;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A download target being filled: the file, the sha256 of exactly the bytes it holds, and its
 * length. Every append updates the file and the digest together, so after any failure the digest
 * still describes the file and a resumed transfer continues both.
 *
 * <p>The file is locked (an exclusive {@code flock}-style lock) while open, so a second concurrent
 * download into the same file fails with CONFLICT {@code partial-file-busy} instead of mixing
 * bytes. Local I/O failures become TRANSIENT {@code partial-file-io} errors, which the S3 retry
 * policy deliberately does not retry (a full disk is not a flaky network).
 */
final class PartialFile implements Closeable {
  private static final int HASH_BUFFER = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private MessageDigest sha = BlobDigest.newSha256();
  private long length;

  private PartialFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Opens (creating if needed) {@code path} as a prefix of an object of {@code objectSize} bytes
   * and hashes what it already holds. A file longer than the object cannot be its prefix and is
   * emptied.
   */
  static PartialFile open(Path path, long objectSize) {
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw localFailure(path, e);
    }
    PartialFile file = new PartialFile(path, channel);
    try {
      // Two writers on one partial file would interleave bytes: refuse the second one.
      boolean locked;
      try {
        locked = channel.tryLock() != null;
      } catch (OverlappingFileLockException e) {
        locked = false;
      }
      if (!locked) {
        file.close();
        throw ThinImageException.conflict(
            "partial-file-busy", path + " is being written by another download");
      }
      long existing = channel.size();
      if (existing > objectSize) {
        channel.truncate(0);
        existing = 0;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(HASH_BUFFER, Math.max(existing, 1)));
      long position = 0;
      while (position < existing) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), existing - position));
        int n = channel.read(buf, position);
        if (n < 0) {
          throw new IOException("file shrank while hashing");
        }
        file.sha.update(buf.array(), 0, n);
        position += n;
      }
      file.length = existing;
      return file;
    } catch (IOException e) {
      file.close();
      throw localFailure(path, e);
    }
  }

  /** Bytes the file holds. */
  long length() {
    return length;
  }

  /** Appends {@code len} bytes and folds them into the digest. */
  void append(byte[] bytes, int offset, int len) {
    ByteBuffer buf = ByteBuffer.wrap(bytes, offset, len);
    try {
      while (buf.hasRemaining()) {
        channel.write(buf, length + (len - buf.remaining()));
      }
    } catch (IOException e) {
      throw localFailure(path, e);
    }
    sha.update(bytes, offset, len);
    length += len;
  }

  /** Empties the file and the digest (the object changed: never mix two versions), durably. */
  void reset() {
    try {
      channel.truncate(0);
      channel.force(true);
    } catch (IOException e) {
      throw localFailure(path, e);
    }
    sha = BlobDigest.newSha256();
    length = 0;
  }

  /** Fsyncs what is on disk so far (kept across a crash for the next resume). */
  void sync() {
    try {
      channel.force(true);
    } catch (IOException e) {
      throw localFailure(path, e);
    }
  }

  /** Fsyncs and reports the finished file. */
  Download finish(long bytesTransferred) {
    sync();
    return new Download(BlobDigest.of(sha.digest()), length, bytesTransferred);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw localFailure(path, e);
    }
  }

  static ThinImageException localFailure(Path path, IOException e) {
    return new ThinImageException(
        ErrorKind.TRANSIENT, "partial-file-io", "cannot write " + path + ": " + e.getMessage(), e);
  }
}
