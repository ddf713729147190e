package io.thinimage.core.domain;

/**
 * What kind of failure an error is, which decides what the engine does with it and which exit code
 * the CLI returns. Never inferred from message text.
 */
public enum ErrorKind {
  /** Bad or hostile input (a reference, a flag, a tar): permanent, retrying cannot help. */
  INVALID_INPUT(4, false),
  /** Something named does not exist (key, image, activation, row). Permanent. */
  NOT_FOUND(3, false),
  /** The host or pool is not safe for mutations now; the run waits and tries again later. */
  UNSAFE(5, true),
  /** A transient failure (network, busy device, timeout): retried with backoff. */
  TRANSIENT(6, true),
  /** The request conflicts with current state (e.g. delete with live activations). Permanent. */
  CONFLICT(7, false),
  /** A bug or a broken invariant. Permanent. */
  INTERNAL(1, false);

  private final int exitCode;
  private final boolean retryable;

  ErrorKind(int exitCode, boolean retryable) {
    this.exitCode = exitCode;
    this.retryable = retryable;
  }

  /** The CLI exit code documented for this kind. */
  public int exitCode() {
    return exitCode;
  }

  /** Whether the engine retries a step that failed with this kind. */
  public boolean retryable() {
    return retryable;
  }
}
