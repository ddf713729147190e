package io.thinimage.core.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An image: a reference in a store, its ordered layers, and (once built) its top chain, whose
 * volume activations snapshot.
 */
public record Image(
    String id,
    String store,
    ImageReference reference,
    List<ImageLayer> layers,
    ChainId topChain,
    ImageState state,
    String failureCode,
    String failureMessage,
    Instant createdAt,
    Instant updatedAt) {
  public Image {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(reference, "reference");
    layers = List.copyOf(layers);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The stable id of a reference in a store: {@code img-} + 16 hex of their sha256. */
  public static String idFor(String store, ImageReference reference) {
    return "img-" + BlobDigest.sha256(store + "\n" + reference.value()).hex().substring(0, 16);
  }

  public long totalSize() {
    return layers.stream().mapToLong(l -> l.object().size()).sum();
  }

  public Image withState(ImageState s, String code, String message, Instant now) {
    return new Image(id, store, reference, layers, topChain, s, code, message, createdAt, now);
  }

  public Image withLayers(List<ImageLayer> newLayers, ChainId top, Instant now) {
    return new Image(
        id, store, reference, newLayers, top, state, failureCode, failureMessage, createdAt, now);
  }
}
