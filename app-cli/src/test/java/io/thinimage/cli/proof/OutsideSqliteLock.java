package io.thinimage.cli.proof;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An outside {@code sqlite3} shell holding an exclusive transaction on a database, as an operator
 * poking at the file would: the product must wait its busy timeout and then fail cleanly. Closing
 * ends the shell, which rolls the transaction back.
 */
final class OutsideSqliteLock implements AutoCloseable {
  private final Process shell;

  private OutsideSqliteLock(Process shell) {
    this.shell = shell;
  }

  /** Whether a {@code sqlite3} shell is on the PATH. */
  static boolean available() {
    try {
      Process p = new ProcessBuilder("sqlite3", "-version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts the shell on {@code db} and returns once it holds {@code BEGIN EXCLUSIVE}. */
  static OutsideSqliteLock hold(Path db) throws IOException {
    Process p =
        new ProcessBuilder(List.of("sqlite3", db.toString())).redirectErrorStream(true).start();
    OutputStream in = p.getOutputStream();
    in.write("BEGIN EXCLUSIVE;\nSELECT 'held';\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (!"held".equals(line)) {
      p.destroyForcibly();
      throw new IllegalStateException("sqlite3 did not take the lock: " + line);
    }
    return new OutsideSqliteLock(p);
  }

  /** Ends the shell (end of input), which releases the lock. */
  @Override
  public void close() throws IOException, InterruptedException {
    shell.getOutputStream().close();
    if (!shell.waitFor(30, TimeUnit.SECONDS)) {
      shell.destroyForcibly().waitFor();
    }
  }
}
