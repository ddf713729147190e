package io.thinimage.core.engine;

import java.time.Duration;

/**
 * Exponential backoff with full jitter for retryable step failures, bounded by attempts and by
 * elapsed time in the state. Pure: the engine supplies the random fraction.
 *
 * @param initialDelay delay before the first retry
 * @param maxDelay cap on one delay
 * @param multiplier growth per attempt
 * @param maxAttempts attempts of one state before the error becomes permanent
 */
public record RetryPolicy(
    Duration initialDelay, Duration maxDelay, double multiplier, int maxAttempts) {

  public static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, 6);
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
}
