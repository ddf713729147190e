package io.thinimage.core.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One durable execution of a state machine for one resource. At most one ACTIVE run exists per
 * (type, resource). {@code attempt} counts the attempts of the current state that have
 * <em>started</em>: it is committed before the state's effects run, so a restart knows it may be
 * re-running over partial effects. {@code version} guards against lost updates.
 */
public record Run(
    String id,
    String type,
    String resourceId,
    String state,
    RunStatus status,
    int attempt,
    Instant notBefore,
    Map<String, String> attributes,
    String parentId,
    String errorCode,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    long version) {
  public Run {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resourceId, "resourceId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
  }

  public String attribute(String key) {
    String v = attributes.get(key);
    if (v == null) {
      throw new IllegalStateException("run " + id + " has no attribute " + key);
    }
    return v;
  }

  public Run withAttempt(int a, Instant now) {
    return new Run(
        id,
        type,
        resourceId,
        state,
        status,
        a,
        notBefore,
        attributes,
        parentId,
        errorCode,
        errorMessage,
        createdAt,
        now,
        version);
  }

  public Run withState(String s, RunStatus st, Instant now) {
    return new Run(
        id,
        type,
        resourceId,
        s,
        st,
        0,
        null,
        attributes,
        parentId,
        errorCode,
        errorMessage,
        createdAt,
        now,
        version);
  }

  public Run withError(String code, String message, Instant retryAt, Instant now) {
    return new Run(
        id,
        type,
        resourceId,
        state,
        status,
        attempt,
        retryAt,
        attributes,
        parentId,
        code,
        message,
        createdAt,
        now,
        version);
  }

  public Run withAttributes(Map<String, String> extra, Instant now) {
    var merged = new TreeMap<>(attributes);
    merged.putAll(extra);
    return new Run(
        id,
        type,
        resourceId,
        state,
        status,
        attempt,
        notBefore,
        merged,
        parentId,
        errorCode,
        errorMessage,
        createdAt,
        now,
        version);
  }

  /** The same run as stored after one more update (the repository bumps the version). */
  public Run nextVersion() {
    return new Run(
        id,
        type,
        resourceId,
        state,
        status,
        attempt,
        notBefore,
        attributes,
        parentId,
        errorCode,
        errorMessage,
        createdAt,
        updatedAt,
        version + 1);
  }
}
