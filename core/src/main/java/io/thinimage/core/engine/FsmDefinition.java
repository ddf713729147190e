package io.thinimage.core.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A state machine as a table: (state, event) → state, plus the step each non-terminal state runs. A
 * permanent failure in any working state moves to the compensation state (a real row of the table,
 * so compensation is durable and resumable), which ends in the failed state.
 *
 * @param <S> states
 * @param <E> events
 */
public final class FsmDefinition<S extends Enum<S>, E extends Enum<E>> {

  /** One row of the table. */
  public record Row<S, E>(S from, E event, S to) {}

  /** Whether a state's step mutates the block device pool (health-gated before it runs). */
  public enum Effects {
    NONE,
    POOL
  }

  private final String type;
  private final Class<S> stateType;
  private final Class<E> eventType;
  private final S initial;
  private final S succeeded;
  private final S failed;
  private final S compensating;
  private final E failureEvent;
  private final List<Row<S, E>> rows;
  private final Map<S, Step<E>> steps;
  private final Set<S> poolMutating;

  private FsmDefinition(Builder<S, E> b) {
    this.type = b.type;
    this.stateType = b.stateType;
    this.eventType = b.eventType;
    this.initial = Objects.requireNonNull(b.initial, "initial");
    this.succeeded = Objects.requireNonNull(b.succeeded, "succeeded");
    this.failed = Objects.requireNonNull(b.failed, "failed");
    this.compensating = Objects.requireNonNull(b.compensating, "compensating");
    this.failureEvent = Objects.requireNonNull(b.failureEvent, "failureEvent");
    var all = new ArrayList<>(b.rows);
    for (S s : stateType.getEnumConstants()) {
      if (s != succeeded && s != failed && s != compensating) {
        all.add(new Row<>(s, failureEvent, compensating));
      }
    }
    this.rows = List.copyOf(all);
    this.steps = Collections.unmodifiableMap(new EnumMap<>(b.steps));
    EnumSet<S> mutating = EnumSet.noneOf(stateType);
    mutating.addAll(b.poolMutating);
    this.poolMutating = Collections.unmodifiableSet(mutating);
    validate();
  }

  private void validate() {
    for (S s : stateType.getEnumConstants()) {
      boolean terminal = isTerminal(s);
      if (!terminal && !steps.containsKey(s)) {
        throw new IllegalStateException(type + ": state " + s + " has no step");
      }
      if (terminal && steps.containsKey(s)) {
        throw new IllegalStateException(type + ": terminal state " + s + " has a step");
      }
    }
    var seen = new java.util.HashSet<String>();
    for (Row<S, E> r : rows) {
      if (!seen.add(r.from() + "/" + r.event())) {
        throw new IllegalStateException(type + ": two rows for " + r.from() + " on " + r.event());
      }
      if (isTerminal(r.from())) {
        throw new IllegalStateException(type + ": a row leaves terminal state " + r.from());
      }
    }
  }

  public static <S extends Enum<S>, E extends Enum<E>> Builder<S, E> builder(
      String type, Class<S> states, Class<E> events) {
    return new Builder<>(type, states, events);
  }

  /** The FSM type name stored in runs, e.g. {@code unpack}. */
  public String type() {
    return type;
  }

  public S initial() {
    return initial;
  }

  public S succeeded() {
    return succeeded;
  }

  public S failed() {
    return failed;
  }

  public S compensating() {
    return compensating;
  }

  public E failureEvent() {
    return failureEvent;
  }

  public boolean isTerminal(S s) {
    return s == succeeded || s == failed;
  }

  public S state(String name) {
    return Enum.valueOf(stateType, name);
  }

  public E event(String name) {
    return Enum.valueOf(eventType, name);
  }

  /** The pure table lookup. */
  public Optional<S> next(S from, E event) {
    for (Row<S, E> r : rows) {
      if (r.from() == from && r.event() == event) {
        return Optional.of(r.to());
      }
    }
    return Optional.empty();
  }

  public List<Row<S, E>> rows() {
    return rows;
  }

  public Step<E> step(S state) {
    Step<E> s = steps.get(state);
    if (s == null) {
      throw new IllegalStateException(type + ": no step for " + state);
    }
    return s;
  }

  public boolean mutatesPool(S state) {
    return poolMutating.contains(state);
  }

  /** The table as a Mermaid state diagram, for {@code docs/}. */
  public String toMermaid() {
    var sb = new StringBuilder("stateDiagram-v2\n");
    sb.append("    [*] --> ").append(initial.name()).append('\n');
    for (Row<S, E> r : rows) {
      sb.append("    ")
          .append(r.from().name())
          .append(" --> ")
          .append(r.to().name())
          .append(" : ")
          .append(r.event().name())
          .append('\n');
    }
    sb.append("    ").append(succeeded.name()).append(" --> [*]\n");
    sb.append("    ").append(failed.name()).append(" --> [*]\n");
    return sb.toString();
  }

  /** Builds a definition. */
  public static final class Builder<S extends Enum<S>, E extends Enum<E>> {
    private final String type;
    private final Class<S> stateType;
    private final Class<E> eventType;
    private S initial;
    private S succeeded;
    private S failed;
    private S compensating;
    private E failureEvent;
    private final List<Row<S, E>> rows = new ArrayList<>();
    private final Map<S, Step<E>> steps = new java.util.HashMap<>();
    private final Set<S> poolMutating = new java.util.HashSet<>();

    private Builder(String type, Class<S> stateType, Class<E> eventType) {
      this.type = type;
      this.stateType = stateType;
      this.eventType = eventType;
    }

    /** The first state, the success end, the failure end. */
    public Builder<S, E> ends(S initialState, S succeededState, S failedState) {
      this.initial = initialState;
      this.succeeded = succeededState;
      this.failed = failedState;
      return this;
    }

    /**
     * Where a permanent failure goes: {@code event} from every working state to {@code state},
     * whose step undoes what the run did and ends in the failed state.
     */
    public Builder<S, E> compensation(E event, S state) {
      this.failureEvent = event;
      this.compensating = state;
      return this;
    }

    public Builder<S, E> row(S from, E event, S to) {
      rows.add(new Row<>(from, event, to));
      return this;
    }

    public Builder<S, E> step(S state, Effects effects, Step<E> step) {
      steps.put(state, step);
      if (effects == Effects.POOL) {
        poolMutating.add(state);
      }
      return this;
    }

    public FsmDefinition<S, E> build() {
      return new FsmDefinition<>(this);
    }
  }
}
