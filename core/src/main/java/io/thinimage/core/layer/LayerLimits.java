package io.thinimage.core.layer;

import java.time.Duration;

/**
 * Limits enforced while a layer streams in; each violation is an INVALID_INPUT error whose code
 * names the limit and whose message names the entry. Tar metadata (GNU long names and links, PAX
 * records, sparse maps) is held to its limit <em>before</em> it is read into memory, so no header,
 * however large it claims to be, is buffered past its cap.
 *
 * @param maxFileBytes largest regular file (header size; the logical size for a sparse file), code
 *     {@code layer-file-too-large}
 * @param maxLayerBytes largest layer stream, counted both as the raw blob and as the tar stream
 *     after decompression (so a gzip bomb stops here too), and the most file bytes one layer may
 *     write (logical sizes, so sparse files count in full), code {@code layer-too-large}
 * @param maxEntries most entries in one layer, directories created implicitly for an entry's
 *     missing parents included, code {@code layer-too-many-entries}
 * @param maxPathBytes longest entry name, hardlink or symlink target in UTF-8 bytes, code {@code
 *     layer-path-too-long}; a GNU long-name or long-link record may hold this many bytes plus its
 *     terminating NUL (every single name is also held to 255 bytes, {@code layer-name-too-long})
 * @param maxPathDepth most names in one entry path, and in a parent path after symlinks in it are
 *     followed, code {@code layer-path-too-deep}
 * @param maxWallTime longest time one layer may take, measured with the injected clock, code {@code
 *     layer-timeout}
 * @param maxPaxHeaderBytes largest PAX extended header ({@code x}) of one entry, code {@code
 *     layer-header-too-large}
 * @param maxGlobalPaxBytes most bytes of PAX global headers ({@code g}) in one layer, all of them
 *     together (they apply to every later entry), code {@code layer-header-too-large}
 * @param maxSparseMapEntries most data extents in the map of one sparse file (old GNU header and
 *     extension blocks, or PAX 0.x/1.0), code {@code layer-sparse-map-too-large}
 * @param maxXattrValueBytes largest value of one extended attribute (Linux's XATTR_SIZE_MAX is 64
 *     KiB), code {@code layer-xattr-too-large}
 */
public record LayerLimits(
    long maxFileBytes,
    long maxLayerBytes,
    long maxEntries,
    int maxPathBytes,
    int maxPathDepth,
    Duration maxWallTime,
    int maxPaxHeaderBytes,
    int maxGlobalPaxBytes,
    int maxSparseMapEntries,
    int maxXattrValueBytes) {

  /** Default {@link #maxPaxHeaderBytes}: 1 MiB. */
  public static final int DEFAULT_PAX_HEADER_BYTES = 1 << 20;

  /** Default {@link #maxGlobalPaxBytes}: 1 MiB. */
  public static final int DEFAULT_GLOBAL_PAX_BYTES = 1 << 20;

  /** Default {@link #maxSparseMapEntries}: 65,536 extents. */
  public static final int DEFAULT_SPARSE_MAP_ENTRIES = 65_536;

  /** Default {@link #maxXattrValueBytes}: 64 KiB (XATTR_SIZE_MAX). */
  public static final int DEFAULT_XATTR_VALUE_BYTES = 64 << 10;

  public LayerLimits {
    if (maxFileBytes < 0
        || maxLayerBytes < 0
        || maxEntries < 0
        || maxPathBytes < 1
        || maxPathBytes > Integer.MAX_VALUE - 1
        || maxPathDepth < 1
        || maxWallTime == null
        || maxWallTime.isNegative()
        || maxPaxHeaderBytes < 0
        || maxGlobalPaxBytes < 0
        || maxSparseMapEntries < 0
        || maxXattrValueBytes < 0) {
      throw new IllegalArgumentException("invalid layer limits");
    }
  }

  /**
   * The limits with the four metadata caps at their defaults (1 MiB PAX header, 1 MiB of global PAX
   * headers, 65,536 sparse extents, 64 KiB xattr values).
   */
  public LayerLimits(
      long maxFileBytes,
      long maxLayerBytes,
      long maxEntries,
      int maxPathBytes,
      int maxPathDepth,
      Duration maxWallTime) {
    this(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        DEFAULT_PAX_HEADER_BYTES,
        DEFAULT_GLOBAL_PAX_BYTES,
        DEFAULT_SPARSE_MAP_ENTRIES,
        DEFAULT_XATTR_VALUE_BYTES);
  }

  /**
   * The documented defaults: 8 GiB per file, 32 GiB per layer, 1,000,000 entries, 4096-byte paths
   * (PATH_MAX), 256 names deep, 30 minutes, 1 MiB PAX header, 1 MiB of global PAX headers, 65,536
   * sparse extents per file, 64 KiB per xattr value.
   */
  public static LayerLimits defaults() {
    return new LayerLimits(8L << 30, 32L << 30, 1_000_000, 4096, 256, Duration.ofMinutes(30));
  }

  /** The largest GNU long-name or long-link record accepted: a path plus its NUL. */
  int maxLongNameRecordBytes() {
    return maxPathBytes + 1;
  }

  /** These limits with another per-file cap. */
  public LayerLimits withMaxFileBytes(long v) {
    return new LayerLimits(
        v,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another per-layer cap. */
  public LayerLimits withMaxLayerBytes(long v) {
    return new LayerLimits(
        maxFileBytes,
        v,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another entry cap. */
  public LayerLimits withMaxEntries(long v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        v,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another path-length cap. */
  public LayerLimits withMaxPathBytes(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        v,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another depth cap. */
  public LayerLimits withMaxPathDepth(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        v,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another wall-time cap. */
  public LayerLimits withMaxWallTime(Duration v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        v,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another PAX extended header cap. */
  public LayerLimits withMaxPaxHeaderBytes(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        v,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another cap on the global PAX headers of a layer. */
  public LayerLimits withMaxGlobalPaxBytes(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        v,
        maxSparseMapEntries,
        maxXattrValueBytes);
  }

  /** These limits with another sparse-map cap. */
  public LayerLimits withMaxSparseMapEntries(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        v,
        maxXattrValueBytes);
  }

  /** These limits with another xattr-value cap. */
  public LayerLimits withMaxXattrValueBytes(int v) {
    return new LayerLimits(
        maxFileBytes,
        maxLayerBytes,
        maxEntries,
        maxPathBytes,
        maxPathDepth,
        maxWallTime,
        maxPaxHeaderBytes,
        maxGlobalPaxBytes,
        maxSparseMapEntries,
        v);
  }
}
