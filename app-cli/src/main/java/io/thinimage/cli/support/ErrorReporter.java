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
  public int report(Throwable thrown, PrintWriter err) {
    // picocli wraps what a command throws that is not an Exception
    Throwable ex =
        thrown instanceof CommandLine.ExecutionException && thrown.getCause() != null
            ? thrown.getCause()
            : thrown;
    if (ex instanceof ThinImageException e) {
      // INFO: the file log gets the cause and stack; stderr (WARN by default) only the one line
      LOG.atInfo()
          .addKeyValue("code", e.code())
          .addKeyValue("kind", e.kind().name())
          .setCause(e)
          .log("command failed: {}", e.getMessage());
      err.println(line(e));
    } else {
      try {
        LOG.info("internal error", ex);
      } catch (Throwable logFailed) { // out of memory again: the one line below still gets out
        ex.addSuppressed(logFailed);
      }
      String where = " (details in " + (logFile == null ? "the log" : logFile.toString()) + ")";
      err.println(
          "thinimage: internal error: "
              + ex.getClass().getSimpleName()
              + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()))
              + "; hint: "
              + hintFor(ex)
              + where);
    }
    err.flush();
    return ExitCodes.of(ex);
  }

  private static String hintFor(Throwable ex) {
    if (ex instanceof OutOfMemoryError) {
      return "the Java heap ran out; raise it with THINIMAGE_JAVA_OPTS=-Xmx... and run the same"
          + " command again to resume";
    }
    if (ex instanceof StackOverflowError) {
      return "a thread stack ran out; raise it with THINIMAGE_JAVA_OPTS=-Xss... and run the same"
          + " command again to resume";
    }
    return "this is a bug";
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
