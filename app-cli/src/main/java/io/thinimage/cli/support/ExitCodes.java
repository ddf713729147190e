package io.thinimage.cli.support;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;

/**
 * The documented exit codes. Errors from core carry their {@link ErrorKind}, whose {@link
 * ErrorKind#exitCode()} is the code; the CLI adds only {@link #OK} and {@link #USAGE}.
 */
public final class ExitCodes {
  /** Success, including an idempotent re-run that had nothing to do. */
  public static final int OK = 0;

  /** An internal error (a bug). */
  public static final int INTERNAL = ErrorKind.INTERNAL.exitCode();

  /** Bad command line: unknown flag, missing argument, or a command this build lacks. */
  public static final int USAGE = 2;

  private ExitCodes() {}

  /** The exit code for a failure: the error kind's code, or {@link #INTERNAL} for anything else. */
  public static int of(Throwable t) {
    if (t instanceof ThinImageException e) {
      return e.kind().exitCode();
    }
    return INTERNAL;
  }
}
