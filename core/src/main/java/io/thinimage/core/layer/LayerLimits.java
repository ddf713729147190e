package io.thinimage.core.layer;

import java.time.Duration;

/**
 * Limits enforced while a layer streams in; each violation is an INVALID_INPUT error whose code
 * names the limit and whose message names the entry.
 *
 * @param maxFileBytes largest regular file (header size), code {@code layer-file-too-large}
 * @param maxLayerBytes largest layer stream, counted both as the raw blob and as the tar stream
 *     after decompression (so a gzip bomb stops here too), code {@code layer-too-large}
 * @param maxEntries most entries in one layer, code {@code layer-too-many-entries}
 * @param maxPathBytes longest entry name, hardlink or symlink target in UTF-8 bytes, code {@code
 *     layer-path-too-long} (every single name is also held to 255 bytes, {@code
 *     layer-name-too-long})
 * @param maxPathDepth most names in one entry path, code {@code layer-path-too-deep}
 * @param maxWallTime longest time one layer may take, measured with the injected clock, code {@code
 *     layer-timeout}
 */
public record LayerLimits(
    long maxFileBytes,
    long maxLayerBytes,
    long maxEntries,
    int maxPathBytes,
    int maxPathDepth,
    Duration maxWallTime) {

  public LayerLimits {
    if (maxFileBytes < 0
        || maxLayerBytes < 0
        || maxEntries < 0
        || maxPathBytes < 1
        || maxPathDepth < 1
        || maxWallTime == null
        || maxWallTime.isNegative()) {
      throw new IllegalArgumentException("invalid layer limits");
    }
  }

  /**
   * The documented defaults: 8 GiB per file, 32 GiB per layer, 1,000,000 entries, 4096-byte paths
   * (PATH_MAX), 256 names deep, 30 minutes.
   */
  public static LayerLimits defaults() {
    return new LayerLimits(8L << 30, 32L << 30, 1_000_000, 4096, 256, Duration.ofMinutes(30));
  }

  /** These limits with another per-file cap. */
  public LayerLimits withMaxFileBytes(long v) {
    return new LayerLimits(v, maxLayerBytes, maxEntries, maxPathBytes, maxPathDepth, maxWallTime);
  }

  /** These limits with another per-layer cap. */
  public LayerLimits withMaxLayerBytes(long v) {
    return new LayerLimits(maxFileBytes, v, maxEntries, maxPathBytes, maxPathDepth, maxWallTime);
  }

  /** These limits with another entry cap. */
  public LayerLimits withMaxEntries(long v) {
    return new LayerLimits(maxFileBytes, maxLayerBytes, v, maxPathBytes, maxPathDepth, maxWallTime);
  }

  /** These limits with another path-length cap. */
  public LayerLimits withMaxPathBytes(int v) {
    return new LayerLimits(maxFileBytes, maxLayerBytes, maxEntries, v, maxPathDepth, maxWallTime);
  }

  /** These limits with another depth cap. */
  public LayerLimits withMaxPathDepth(int v) {
    return new LayerLimits(maxFileBytes, maxLayerBytes, maxEntries, maxPathBytes, v, maxWallTime);
  }

  /** These limits with another wall-time cap. */
  public LayerLimits withMaxWallTime(Duration v) {
    return new LayerLimits(maxFileBytes, maxLayerBytes, maxEntries, maxPathBytes, maxPathDepth, v);
  }
}
