package io.thinimage.adapters.s3;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Which S3 failures are worth another attempt, and what the rest mean as typed errors. Decided on
 * status codes and exception types only, never on message text.
 */
final class S3Errors {
  private S3Errors() {}

  /**
   * Retry 5xx (including 503 SlowDown), 408 and 429, client-side failures with no response
   * (connection refused or reset, timeouts) and an {@link IOException} while reading a body. Never
   * another 4xx, and never our own typed errors (local disk failures, changed objects).
   */
  static boolean retryable(Throwable t) {
    if (t instanceof ThinImageException) {
      return false;
    }
    if (t instanceof SdkServiceException service) {
      int status = service.statusCode();
      return status >= 500 || status == 408 || status == 429 || service.isThrottlingException();
    }
    if (t instanceof AbortedException
        || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
      return false; // the thread was interrupted: stop, do not retry
    }
    if (t instanceof SdkClientException) {
      return true; // no response at all: connection refused/reset, timeout, broken TLS
    }
    return t instanceof IOException || t instanceof UncheckedIOException;
  }

  /** HTTP status of a service error, or -1. */
  static int status(Throwable t) {
    return t instanceof SdkServiceException s ? s.statusCode() : -1;
  }

  /**
   * The typed error for a failure that will not be (or no longer be) retried. {@code what} names
   * the key or prefix for the message.
   */
  static ThinImageException translate(Throwable t, String what, int attempts) {
    if (t instanceof ThinImageException typed) {
      return typed;
    }
    if (t instanceof AbortedException) {
      Thread.currentThread().interrupt();
      return ThinImageException.transientFailure("interrupted", "interrupted on " + what, t);
    }
    if (t instanceof SdkServiceException service) {
      int status = service.statusCode();
      String code =
          t instanceof AwsServiceException aws && aws.awsErrorDetails() != null
              ? aws.awsErrorDetails().errorCode()
              : null;
      if (status == 403) {
        return new ThinImageException(
            ErrorKind.INVALID_INPUT,
            "access-denied",
            "access denied to " + what + " (" + code + "); check credentials and bucket policy",
            t);
      }
      if (status == 404) {
        boolean noBucket = "NoSuchBucket".equals(code);
        return new ThinImageException(
            ErrorKind.NOT_FOUND,
            noBucket ? "bucket-not-found" : "object-not-found",
            (noBucket ? "no such bucket for " : "no such object: ") + what,
            t);
      }
      if (status == 412 || status == 416) {
        return new ThinImageException(
            ErrorKind.INVALID_INPUT,
            "object-changed",
            what + " changed since it was listed (HTTP " + status + ")",
            t);
      }
      if (retryable(t)) {
        return new ThinImageException(
            ErrorKind.TRANSIENT,
            "s3-unavailable",
            "S3 kept failing on " + what + " after " + attempts + " attempts (HTTP " + status + ")",
            t);
      }
      return new ThinImageException(
          ErrorKind.INVALID_INPUT,
          "s3-request-rejected",
          "S3 rejected the request for " + what + " (HTTP " + status + ", " + code + ")",
          t);
    }
    return new ThinImageException(
        ErrorKind.TRANSIENT,
        "s3-unreachable",
        "could not complete " + what + " after " + attempts + " attempts: " + t,
        t);
  }
}
