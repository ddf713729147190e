package io.thinimage.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A thin snapshot of an image's top volume, with its own device. An image with live activations
 * cannot be deleted.
 */
public record Activation(
    String id,
    String imageId,
    long thinId,
    ActivationState state,
    String devicePath,
    Instant createdAt,
    Instant updatedAt) {
  public Activation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(state, "state");
  }

  /** Live activations hold their image: pending, active or still being torn down. */
  public boolean isLive() {
    return state == ActivationState.PENDING
        || state == ActivationState.ACTIVE
        || state == ActivationState.DEACTIVATING;
  }

  public Activation withState(ActivationState s, String path, Instant now) {
    return new Activation(id, imageId, thinId, s, path, createdAt, now);
  }
}
