package io.thinimage.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A volume record: a chain volume (one per layer chain) or an activation volume. {@code
 * parentThinId} is the volume it was snapshotted from, or null for a fresh bottom volume.
 */
public record Volume(
    long thinId,
    VolumeKind kind,
    ChainId chain,
    Long parentThinId,
    long virtualSizeBytes,
    VolumeState state,
    String ownerRunId,
    Instant createdAt,
    Instant updatedAt) {
  public Volume {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(state, "state");
    if (kind == VolumeKind.CHAIN) {
      Objects.requireNonNull(chain, "a chain volume needs its chain id");
    }
  }

  public VolumeSpec spec() {
    return VolumeSpec.of(thinId, virtualSizeBytes);
  }

  public String name() {
    return VolumeSpec.nameFor(thinId);
  }

  public Volume withState(VolumeState s, Instant now) {
    return new Volume(
        thinId, kind, chain, parentThinId, virtualSizeBytes, s, ownerRunId, createdAt, now);
  }
}
