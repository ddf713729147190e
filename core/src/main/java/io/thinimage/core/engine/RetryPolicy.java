package io.thinimage.core.engine;

import java.time.Duration;

/**
 * Exponential backoff with full jitter for retryable step failures, bounded by attempts. Pure: the
 * engine supplies the random fraction.
 *
 * <p>Both bounds count attempts that <em>started</em> (the engine commits each one before the step
 * runs), so a step during which the process dies every time (out of memory, killed, a crash loop)
 * is refused once its bound is reached, exactly like a step that kept failing.
 *
 * @param initialDelay delay before the first retry
 * @param maxDelay cap on one delay
 * @param multiplier growth per attempt
 * @param maxAttempts attempts of one working state before the run fails into compensation
 * @param compensationAttempts attempts of the compensation state before the run ends FAILED with
 *     {@code compensation-exhausted}, leaving what was not undone to gc
 */
public record RetryPolicy(
    Duration initialDelay,
    Duration maxDelay,
    double multiplier,
    int maxAttempts,
    int compensationAttempts) {

  /**
   * Compensation gets more attempts than a working state: giving up leaves debris for gc. With the
   * default delays, 10 attempts wait at most about 81 s in all (0.2 s doubling, capped at 30 s).
   */
  public static final int DEFAULT_COMPENSATION_ATTEMPTS = 10;

  public RetryPolicy {
    if (maxAttempts < 1 || compensationAttempts < 1) {
      throw new IllegalArgumentException("attempt bounds must be at least 1");
    }
  }

  /** A policy with {@link #DEFAULT_COMPENSATION_ATTEMPTS} for compensation. */
  public RetryPolicy(Duration initialDelay, Duration maxDelay, double multiplier, int maxAttempts) {
    this(initialDelay, maxDelay, multiplier, maxAttempts, DEFAULT_COMPENSATION_ATTEMPTS);
  }

  /** 200 ms doubling up to 30 s; 6 attempts per working state, 10 for compensation. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, 6, DEFAULT_COMPENSATION_ATTEMPTS);
  }

  /**
   * The delay before attempt {@code attempt + 1}, given {@code attempt} attempts so far (≥ 1) and a
   * random fraction in [0, 1): half fixed, half jitter, so retries of many runs spread out.
   */
  public Duration delayAfter(int attempt, double randomFraction) {
    double base = (double) initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    double capped = Math.min(base, maxDelay.toMillis());
    long millis = (long) (capped / 2 + capped / 2 * randomFraction);
    return Duration.ofMillis(Math.max(1, millis));
  }

  /** Whether another attempt is allowed after {@code attempt} attempts. */
  public boolean allowsAnother(int attempt) {
    return attempt < maxAttempts;
  }

  /** Whether another compensation attempt is allowed after {@code attempt} attempts. */
  public boolean allowsAnotherCompensation(int attempt) {
    return attempt < compensationAttempts;
  }

  /** The attempts a state may start: {@link #compensationAttempts} when compensating. */
  public int attemptsFor(boolean compensating) {
    return compensating ? compensationAttempts : maxAttempts;
  }
}
