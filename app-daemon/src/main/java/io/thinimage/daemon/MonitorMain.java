package io.thinimage.daemon;

import io.thinimage.daemon.cli.MonitorCommand;
import picocli.CommandLine;

/** The standalone dashboard's entry point: {@code java -cp ... io.thinimage.daemon.MonitorMain}. */
public final class MonitorMain {
  private MonitorMain() {}

  /** Parses {@code args} as {@link MonitorCommand} options, runs the dashboard and exits. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new MonitorCommand()).execute(args));
  }
}
