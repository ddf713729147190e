package io.thinimage.core.engine;

import io.thinimage.core.port.RepositoryTransaction;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a step decided: the event, the domain writes to commit with the transition, and attributes
 * to merge into the run (e.g. a digest learnt by a download).
 *
 * @param <E> the definition's event type
 */
public record StepResult<E extends Enum<E>>(
    E event, Consumer<RepositoryTransaction> writes, Map<String, String> attributes) {
  public StepResult {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(writes, "writes");
    attributes = Map.copyOf(attributes);
  }

  /** An event with no domain writes and no attributes. */
  public static <E extends Enum<E>> StepResult<E> of(E event) {
    return new StepResult<>(event, tx -> {}, Map.of());
  }

  /** An event with domain writes. */
  public static <E extends Enum<E>> StepResult<E> of(E event, Consumer<RepositoryTransaction> w) {
    return new StepResult<>(event, w, Map.of());
  }

  /** The same result with attributes to merge into the run. */
  public StepResult<E> with(Map<String, String> attrs) {
    return new StepResult<>(event, writes, attrs);
  }
}
