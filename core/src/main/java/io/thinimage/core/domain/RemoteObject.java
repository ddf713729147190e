package io.thinimage.core.domain;

import java.util.Objects;

/**
 * One object in the object store, as listed: its key, size and ETag. The ETag pins the version; a
 * download of a different ETag is refused.
 */
public record RemoteObject(String key, long size, String etag) {
  public RemoteObject {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(etag, "etag");
    if (size < 0) {
      throw new IllegalArgumentException("negative size for " + key);
    }
  }
}
