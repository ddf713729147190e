package io.thinimage.adapters.sqlite;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child process of {@link SqliteDurabilityIT}: commits steps of one run forever and prints
 * {@code ack <n>} after each commit returned. Whatever was acknowledged must survive a SIGKILL.
 * Checkpoints run every few milliseconds so kills also land inside them.
 */
public final class DurabilityWorker {
  private DurabilityWorker() {}

  public static void main(String[] args) {
    Path db = Path.of(args[0]);
    String runId = args[1];
    PrintStream out = System.out;
    SqliteOptions options = SqliteOptions.defaults().withCheckpointInterval(Duration.ofMillis(15));
    SqliteImageRepository repo = SqliteImageRepository.open(db, options);
    TransitionWorkload.createRun(repo, runId);
    out.println("ready");
    out.flush();
    while (true) {
      long n = TransitionWorkload.commitNext(repo, runId);
      out.println("ack " + n);
      out.flush();
    }
  }
}
