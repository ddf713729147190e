package io.thinimage.cli.support;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One mutating process per data directory: an OS lock ({@link FileChannel#lock}) on {@code
 * <data-dir>/thinimage.lock}, held for the process lifetime and released by the kernel when the
 * process dies (so no stale-pid heuristics). The holder writes its pid and command line into the
 * file so that a second process can say whom it waits for.
 */
public final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock. If another process holds it: with {@code wait}, says on {@code err} whom it
   * waits for and blocks; without, fails with TRANSIENT code {@code data-dir-locked} (exit 6).
   */
  public static DataDirLock acquire(Path lockFile, String command, boolean wait, PrintWriter err) {
    try {
      Files.createDirectories(lockFile.getParent());
      FileChannel ch =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try {
        FileLock l = ch.tryLock();
        if (l == null) {
          String holder = holder(ch);
          if (!wait) {
            throw ThinImageException.transientFailure(
                "data-dir-locked",
                lockFile.getParent() + " is in use by " + holder + " (--no-wait given)",
                null);
          }
          err.println(
              "thinimage: waiting for " + holder + " to finish with " + lockFile.getParent());
          err.flush();
          l = ch.lock();
        }
        ch.truncate(0);
        String me = "pid " + ProcessHandle.current().pid() + ": thinimage " + command + "\n";
        ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(false);
        return new DataDirLock(ch, l);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new ThinImageException(
          io.thinimage.core.domain.ErrorKind.INVALID_INPUT,
          "data-dir-unusable",
          "cannot lock " + lockFile + ": " + e,
          e);
    }
  }

  /** What the lock file says about its holder (best effort: it may be mid-rewrite). */
  static String holder(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    int n = ch.read(buf, 0);
    String text = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "another process" : text;
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the kernel drops the lock with the descriptor anyway
      throw new UncheckedIOException(e);
    }
  }
}
