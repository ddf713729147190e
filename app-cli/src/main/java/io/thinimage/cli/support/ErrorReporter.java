package io.thinimage.cli.support;

import io.thinimage.core.domain.ThinImageException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on stderr (cause and hint) and the documented exit code. Stack
 * traces go to the log file only, never to the terminal.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

  /** The log file, when one is open, to point at in the hint for internal errors. */
  private volatile Path logFile;

  /** Tells the reporter where the log file is, so hints can point at it. */
  public void logFile(Path file) {
    this.logFile = file;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    return report(ex, cmd.getErr());
  }

  /** Prints the one-line error for {@code ex} and returns its exit code. */
  public int report(Throwable ex, PrintWriter err) {
    if (ex instanceof ThinImageException e) {
      // INFO: the file log gets the cause and stack; stderr (WARN by default) only the one line
      LOG.atInfo()
          .addKeyValue("code", e.code())
          .addKeyValue("kind", e.kind().name())
          .setCause(e)
          .log("command failed: {}", e.getMessage());
      err.println(line(e));
    } else {
      LOG.info("internal error", ex);
      String where = logFile == null ? "" : " (details in " + logFile + ")";
      err.println(
          "thinimage: internal error: "
              + ex.getClass().getSimpleName()
              + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()))
              + "; hint: this is a bug"
              + where);
    }
    err.flush();
    return ExitCodes.of(ex);
  }

  /** The one line shown for a core error. */
  public static String line(ThinImageException e) {
    return "thinimage: "
        + e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
        + " ["
        + e.code()
        + "]: "
        + oneLine(e.getMessage())
        + "; hint: "
        + Hints.forError(e);
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    String hint = name + " --help";
    if (ex instanceof UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()) {
      hint = "did you mean " + String.join(" or ", unmatched.getSuggestions()) + "? " + hint;
    }
    err.println("thinimage: usage: " + oneLine(ex.getMessage()) + "; hint: " + hint);
    err.flush();
    return ExitCodes.USAGE;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ').strip();
  }
}
