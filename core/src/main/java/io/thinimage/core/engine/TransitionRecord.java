package io.thinimage.core.engine;

import java.time.Instant;

/**
 * One line of a run's history: a state left, the event that decided it, the state entered, and any
 * error. Written in the same transaction as the run's new state and the step's domain writes.
 */
public record TransitionRecord(
    String runId,
    int seq,
    String fromState,
    String event,
    String toState,
    String errorCode,
    String errorMessage,
    Instant at,
    long durationMillis) {}
