package io.thinimage.core.port;

import io.thinimage.core.domain.BlobDigest;
import io.thinimage.core.domain.ImageReference;
import io.thinimage.core.domain.RemoteObject;
import java.nio.file.Path;
import java.util.List;

/**
 * Where layer blobs come from: an S3 bucket, or a local directory with the same key layout.
 *
 * <p>Implementations are safe for concurrent use. All failures are {@link
 * io.thinimage.core.domain.ThinImageException}s: NOT_FOUND for a missing key or an empty family,
 * INVALID_INPUT for a malformed family (gaps, duplicates, foreign keys) or an object that changed
 * or exceeds its cap, TRANSIENT for failures that outlived the adapter's own retries.
 */
public interface ObjectStore {

  /** A stable description of this store ({@code s3://bucket/prefix}, {@code file:///dir}). */
  String describe();

  /**
   * Resolves a reference to its ordered layer objects. A family prefix lists its keys (all pages)
   * and orders them with {@link ImageReference#orderFamilyKeys}; a single key is checked to exist.
   * Read-only and idempotent. Never downloads object bodies.
   */
  List<RemoteObject> resolve(ImageReference reference);

  /** Lists every object under a prefix (all pages), in key order. Read-only; empty if none. */
  List<RemoteObject> list(String prefix);

  /**
   * Downloads {@code object} into {@code partialFile}, pinned to its ETag, never writing more than
   * {@code maxBytes}. If {@code partialFile} already holds a prefix of the object (an interrupted
   * transfer), only the rest is fetched (a ranged request) and the digest covers the whole file. On
   * return the file is complete, its length is {@code object.size()}, and it is fsynced.
   *
   * <p>Idempotent: calling it again on a complete file fetches nothing and returns the same digest.
   * If the object's ETag differs from {@code object.etag()}, fails with INVALID_INPUT code {@code
   * object-changed} and truncates the partial file to zero (bytes of two versions are never mixed).
   *
   * @param progress called with the number of bytes on disk as the transfer proceeds
   */
  Download download(
      RemoteObject object,
      Path partialFile,
      long maxBytes,
      java.util.function.LongConsumer progress);

  /** The result of a completed download. */
  record Download(BlobDigest digest, long size, long bytesTransferred) {}
}
