package io.thinimage.core.engine;

import java.time.Duration;

/**
 * How the engine waits for a retry. Production sleeps; tests pass one that advances a fake clock,
 * so backoff is tested without sleeping.
 */
@FunctionalInterface
public interface Sleeper {
  /** Real sleeping. */
  Sleeper REAL = d -> Thread.sleep(Math.max(0, d.toMillis()));

  /** Waits {@code duration}. */
  void sleep(Duration duration) throws InterruptedException;
}
