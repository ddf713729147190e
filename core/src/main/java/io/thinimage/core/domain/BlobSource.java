package io.thinimage.core.domain;

import java.util.Objects;

/**
 * Where a blob came from: (store, key, ETag). The same source seen again maps to the stored blob
 * with no GET at all.
 */
public record BlobSource(String store, String key, String etag, BlobDigest digest) {
  public BlobSource {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(etag, "etag");
    Objects.requireNonNull(digest, "digest");
  }
}
