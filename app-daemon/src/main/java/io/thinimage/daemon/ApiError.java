package io.thinimage.daemon;

import io.thinimage.core.domain.ErrorKind;

/**
 * An error answer of the admin API: its HTTP status and the body {@code {"error": {kind, code,
 * message}}}. Clients branch on {@code kind} and {@code code}, never on the message.
 */
record ApiError(int status, String kind, String code, String message) {

  /** The HTTP status for an error kind: what the client should do about it. */
  static int statusOf(ErrorKind kind) {
    return switch (kind) {
      case INVALID_INPUT -> 422;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case UNSAFE, TRANSIENT -> 503;
      case INTERNAL -> 500;
    };
  }

  static ApiError of(ErrorKind kind, String code, String message) {
    return new ApiError(statusOf(kind), kind.name(), code, message);
  }

  static ApiError noRoute(String path) {
    return new ApiError(404, ErrorKind.NOT_FOUND.name(), "no-such-path", "no such path: " + path);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(
        405,
        ErrorKind.INVALID_INPUT.name(),
        "method-not-allowed",
        method + " not allowed on " + path);
  }

  static ApiError tooLarge(int max) {
    return new ApiError(
        413,
        ErrorKind.INVALID_INPUT.name(),
        "body-too-large",
        "request body larger than " + max + " bytes");
  }

  static ApiError badJson(String detail) {
    return new ApiError(400, ErrorKind.INVALID_INPUT.name(), "bad-json", detail);
  }

  /** The JSON body. */
  Body body() {
    return new Body(new Detail(kind, code, message));
  }

  /** {@code {"error": ...}}. */
  record Body(Detail error) {}

  /** The error's fields. */
  record Detail(String kind, String code, String message) {}
}
