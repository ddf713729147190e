package io.thinimage.cli.support;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A child process for {@link DataDirLockTest}: takes the lock, prints {@code locked}, and holds it
 * until its stdin closes (so the test decides when it lets go, without sleeps).
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    PrintWriter err = new PrintWriter(System.err, true);
    try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]), "holder-test", true, err)) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the parent closes our stdin
      }
    }
  }
}
