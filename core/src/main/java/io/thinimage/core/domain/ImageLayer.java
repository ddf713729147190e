package io.thinimage.core.domain;

import java.util.Objects;

/**
 * One layer of an image, in order (position 1 is the bottom). The digest and chain are known once
 * the layer is downloaded.
 */
public record ImageLayer(int position, RemoteObject object, BlobDigest digest, ChainId chain) {
  public ImageLayer {
    Objects.requireNonNull(object, "object");
    if (position < 1) {
      throw new IllegalArgumentException("layer positions start at 1");
    }
  }

  public ImageLayer withDigest(BlobDigest d, ChainId c) {
    return new ImageLayer(position, object, d, c);
  }
}
