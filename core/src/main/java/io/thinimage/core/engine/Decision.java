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

  /** The code of a run whose working state started its maximum of attempts without finishing. */
  String ATTEMPTS_EXHAUSTED = "step-attempts-exhausted";

  /** The code of a run whose compensation used up its attempts; gc collects what is left. */
  String COMPENSATION_EXHAUSTED = "compensation-exhausted";

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
   * Compensation itself ran out of attempts: end in the failed state {@code to} as it is, with the
   * error recorded. What it did not undo stays for gc and reconcile.
   */
  record GiveUp(String to, ErrorKind kind, String errorCode, String errorMessage)
      implements Decision {}

  /**
   * Decides from a step's outcome. {@code event} is the step's event, or null when it failed with
   * {@code error}. {@code attempt} is the number of attempts of {@code state} started so far, this
   * one included.
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
    if (state == def.compensating()) {
      // Any error while compensating is retried (undoing is what lets the next run start clean),
      // but only so often: a compensation that can never finish must not hold the run forever.
      if (policy.allowsAnotherCompensation(attempt)) {
        Duration d = policy.delayAfter(attempt, randomFraction);
        return new Retry(now.plus(d), error.code(), message);
      }
      return compensationExhausted(def, attempt, error.code() + ": " + message);
    }
    if (error.kind().retryable() && policy.allowsAnother(attempt)) {
      Duration d = policy.delayAfter(attempt, randomFraction);
      return new Retry(now.plus(d), error.code(), message);
    }
    return new Fail(
        def.failureEvent().name(), def.compensating().name(), error.kind(), error.code(), message);
  }

  /**
   * Decides, before a state runs, for a run whose {@code attempts} started attempts of {@code
   * state} already reached the policy's bound: it is not run again. Attempts that started and never
   * recorded an outcome are how a process that dies inside a step (out of memory, killed, crashing)
   * shows in the store. {@code waitingOn} names what the step was waiting for (a child run), or is
   * empty.
   */
  static <S extends Enum<S>, E extends Enum<E>> Decision exhausted(
      FsmDefinition<S, E> def, S state, int attempts, String lastError, String waitingOn) {
    String last = lastError == null ? "" : "; last error: " + lastError;
    if (state == def.compensating()) {
      return compensationExhausted(
          def,
          attempts,
          "it was started " + attempts + " times without finishing" + waitingOn + last);
    }
    return new Fail(
        def.failureEvent().name(),
        def.compensating().name(),
        ErrorKind.INTERNAL,
        ATTEMPTS_EXHAUSTED,
        def.type()
            + " step "
            + state.name()
            + " was started "
            + attempts
            + " times and never finished: the process ended inside it each time (out of memory,"
            + " killed, or crashed)"
            + waitingOn
            + last
            + "; it is not started again");
  }

  private static <S extends Enum<S>, E extends Enum<E>> GiveUp compensationExhausted(
      FsmDefinition<S, E> def, int attempts, String why) {
    return new GiveUp(
        def.failed().name(),
        ErrorKind.INTERNAL,
        COMPENSATION_EXHAUSTED,
        "compensation of this "
            + def.type()
            + " run did not finish after "
            + attempts
            + " attempts ("
            + why
            + "); what it did not undo is left for thinimage gc");
  }
}
