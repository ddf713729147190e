package io.thinimage.core.domain;

import java.util.Objects;

/**
 * The one exception type that crosses port boundaries. It carries a {@link ErrorKind} (what the
 * engine does with it) and a stable machine-readable {@code code} (what is recorded in the run and
 * shown by {@code status}), so nothing downstream ever parses a message.
 */
public class ThinImageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final String code;

  public ThinImageException(ErrorKind kind, String code, String message) {
    this(kind, code, message, null);
  }

  public ThinImageException(ErrorKind kind, String code, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.code = Objects.requireNonNull(code, "code");
  }

  /** What the engine and the CLI do with this error. */
  public ErrorKind kind() {
    return kind;
  }

  /** Stable, lower-case, dash-separated reason code, e.g. {@code layer-path-escape}. */
  public String code() {
    return code;
  }

  public static ThinImageException invalid(String code, String message) {
    return new ThinImageException(ErrorKind.INVALID_INPUT, code, message);
  }

  public static ThinImageException notFound(String code, String message) {
    return new ThinImageException(ErrorKind.NOT_FOUND, code, message);
  }

  public static ThinImageException transientFailure(String code, String message, Throwable cause) {
    return new ThinImageException(ErrorKind.TRANSIENT, code, message, cause);
  }

  public static ThinImageException conflict(String code, String message) {
    return new ThinImageException(ErrorKind.CONFLICT, code, message);
  }

  public static ThinImageException unsafe(String code, String message) {
    return new ThinImageException(ErrorKind.UNSAFE, code, message);
  }

  public static ThinImageException internal(String code, String message, Throwable cause) {
    return new ThinImageException(ErrorKind.INTERNAL, code, message, cause);
  }
}
