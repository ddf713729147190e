package io.thinimage.adapters.devicemapper;

import java.util.List;

/**
 * What a finished command left behind. Output is captured up to a bound; {@code truncated} says
 * whether any of it was cut.
 */
public record CommandResult(
    List<String> argv, int exitCode, String stdout, String stderr, boolean truncated) {

  public CommandResult {
    argv = List.copyOf(argv);
  }

  /** Whether the command exited with status 0. */
  public boolean ok() {
    return exitCode == 0;
  }

  /** The command line for messages (arguments joined by spaces, not shell-quoted). */
  public String commandLine() {
    return String.join(" ", argv);
  }

  /** stderr, or stdout when stderr is empty: dmsetup prints some errors on stdout. */
  public String diagnostics() {
    String err = stderr.strip();
    return err.isEmpty() ? stdout.strip() : err;
  }
}
