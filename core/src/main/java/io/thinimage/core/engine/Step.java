package io.thinimage.core.engine;

/**
 * The effectful part of one state: what the executor runs when a run is in that state. It returns
 * the event that decides the next state (through the definition's table) and the domain writes that
 * commit in the same transaction as the transition. A step must be idempotent: after a crash at any
 * instruction it runs again ({@link StepContext#attempt()} &gt; 1) and must converge.
 *
 * @param <E> the definition's event type
 */
@FunctionalInterface
public interface Step<E extends Enum<E>> {
  /**
   * Runs the state's effects.
   *
   * @throws io.thinimage.core.domain.ThinImageException typed failures; the engine's pure decision
   *     retries retryable kinds and sends permanent ones to compensation
   */
  StepResult<E> execute(StepContext context);
}
