package io.thinimage.daemon;

import io.thinimage.daemon.cli.DaemonCommand;
import picocli.CommandLine;

/**
 * The standalone daemon as tests start it in a child JVM: the real {@link DaemonCommand}, with
 * downloads slowed by {@code -Dthinimage.test.downloadDelayMs} so a test can kill it mid-run.
 */
public final class TestDaemonMain {
  private TestDaemonMain() {}

  public static void main(String[] args) {
    LogSetup.defaults();
    long delay = Long.getLong("thinimage.test.downloadDelayMs", 0);
    DaemonCommand command = new DaemonCommand(s -> delay <= 0 ? s : new SlowObjectStore(s, delay));
    System.exit(new CommandLine(command).execute(args));
  }
}
