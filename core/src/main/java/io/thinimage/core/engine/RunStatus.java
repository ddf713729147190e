package io.thinimage.core.engine;

/** Whether a run is still going and how it ended. */
public enum RunStatus {
  /** Not finished: resumed on every start until it reaches an end state. */
  ACTIVE,
  /** Reached its success state. */
  SUCCEEDED,
  /** Ended by a permanent error after its compensation ran. */
  FAILED,
  /** Ended by an operator; its compensation ran. */
  CANCELLED;

  public boolean isActive() {
    return this == ACTIVE;
  }
}
