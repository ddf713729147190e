package io.thinimage.core.domain;

import java.time.Instant;
import java.util.Objects;

/** A layer blob stored once on disk under {@code blobs/sha256/<hex>}, whatever references it. */
public record Blob(BlobDigest digest, long size, Instant storedAt) {
  public Blob {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(storedAt, "storedAt");
  }
}
