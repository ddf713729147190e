package io.thinimage.core.domain;

import java.util.List;

/**
 * An OCI ChainID: the identity of a stack of layers. chain(L1) = digest(L1); chain(L1..Lk) =
 * sha256(chain(L1..Lk-1) + " " + digest(Lk)). One thin volume exists per chain, so images that
 * share their lower layers share their lower volumes.
 */
public record ChainId(BlobDigest digest) {

  /** The chain of a single bottom layer. */
  public static ChainId ofBase(BlobDigest layer) {
    return new ChainId(layer);
  }

  /** The chain of this stack with {@code layer} applied on top. */
  public ChainId then(BlobDigest layer) {
    return new ChainId(BlobDigest.sha256(digest + " " + layer));
  }

  /** The chain ids of every prefix of {@code layers}, bottom first. */
  public static List<ChainId> chainsOf(List<BlobDigest> layers) {
    if (layers.isEmpty()) {
      throw ThinImageException.invalid("empty-image", "an image needs at least one layer");
    }
    var out = new java.util.ArrayList<ChainId>(layers.size());
    ChainId current = ofBase(layers.get(0));
    out.add(current);
    for (int i = 1; i < layers.size(); i++) {
      current = current.then(layers.get(i));
      out.add(current);
    }
    return List.copyOf(out);
  }

  public static ChainId parse(String text) {
    return new ChainId(BlobDigest.parse(text));
  }

  @Override
  public String toString() {
    return digest.toString();
  }
}
