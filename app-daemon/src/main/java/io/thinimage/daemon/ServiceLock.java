package io.thinimage.daemon;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory's lock, {@code <data-dir>/thinimage.lock}: the same file and protocol the
 * CLI's mutating commands use, so a standalone daemon and a CLI never mutate one pool at once. The
 * kernel releases it when the process dies.
 */
final class ServiceLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private ServiceLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or fails with TRANSIENT {@code data-dir-locked} naming the holder. */
  static ServiceLock acquire(Path dataDir) {
    Path file = dataDir.resolve("thinimage.lock");
    try {
      Files.createDirectories(dataDir);
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        FileLock l = ch.tryLock();
        if (l == null) {
          ByteBuffer buf = ByteBuffer.allocate(1024);
          int n = ch.read(buf, 0);
          String holder =
              n <= 0 ? "another process" : new String(buf.array(), 0, n, StandardCharsets.UTF_8);
          throw ThinImageException.transientFailure(
              "data-dir-locked", dataDir + " is in use by " + holder.strip(), null);
        }
        ch.truncate(0);
        String me = "pid " + ProcessHandle.current().pid() + ": thinimage daemon\n";
        ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new ServiceLock(ch, l);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new ThinImageException(
          ErrorKind.INVALID_INPUT, "data-dir-unusable", "cannot lock " + file + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Released by the kernel with the file descriptor anyway.
    }
  }
}
