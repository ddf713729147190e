package io.thinimage.core.engine;

import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.time.Duration;
import java.time.Instant;

/**
 * What the engine does after a step: the pure part of the executor. {@link #decide} looks only at
 * its arguments, so the rules are tested without effects.
 */
public sealed interface Decision {

  /** Move along the table to {@code to} on {@code event}. */
  record Advance(String event, String to) implements Decision {}

  /** Stay, and run the state again at {@code at}. */
  record Retry(Instant at, String errorCode, String errorMessage) implements Decision {}

  /** Stay and wait for the host to turn safe; the caller may give up waiting. */
  record WaitUntilSafe(Instant at, String errorCode, String errorMessage) implements Decision {}

  /** A permanent failure: go to compensation with the error recorded. */
  record Fail(String event, String to, ErrorKind kind, String errorCode, String errorMessage)
      implements Decision {}

  /**
   * Decides from a step's outcome. {@code event} is the step's event, or null when it failed with
   * {@code error}.
   */
  static <S extends Enum<S>, E extends Enum<E>> Decision decide(
      FsmDefinition<S, E> def,
      S state,
      int attempt,
      E event,
      ThinImageException error,
      RetryPolicy policy,
      Instant now,
      double randomFraction) {
    if (error == null) {
      S to =
          def.next(state, event)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          def.type() + ": no row for " + state + " on " + event));
      return new Advance(event.name(), to.name());
    }
    String message = error.getMessage() == null ? error.code() : error.getMessage();
    if (error.kind() == ErrorKind.UNSAFE) {
      Duration d = policy.delayAfter(Math.max(1, attempt), randomFraction);
      return new WaitUntilSafe(now.plus(d), error.code(), message);
    }
    boolean compensating = state == def.compensating();
    if (error.kind().retryable() && (compensating || policy.allowsAnother(attempt))) {
      // Compensation is retried without limit: giving up would leave a half-built device behind.
      Duration d = policy.delayAfter(attempt, randomFraction);
      return new Retry(now.plus(d), error.code(), message);
    }
    if (compensating) {
      // A permanent error while compensating: retry after the longest delay, never abandon it.
      return new Retry(now.plus(policy.maxDelay()), error.code(), message);
    }
    return new Fail(
        def.failureEvent().name(), def.compensating().name(), error.kind(), error.code(), message);
  }
}
