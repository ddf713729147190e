package io.thinimage.core.api;

import java.util.List;

/**
 * What gc found and, with {@code --force}, did.
 *
 * @param findings every leftover found, each with what force does (or did) about it
 * @param applied whether the actions were carried out (false for a dry run)
 */
public record GcReport(List<Finding> findings, boolean applied) {
  public GcReport {
    findings = List.copyOf(findings);
  }

  /** The kinds of leftovers gc knows. */
  public enum Kind {
    /** A volume in the pool with our naming and no record. */
    ORPHAN_VOLUME,
    /** A volume record whose volume the pool no longer has. */
    RECORD_WITHOUT_VOLUME,
    /** A chain volume no image uses any more. */
    UNREFERENCED_VOLUME,
    /** A partial download no run owns. */
    STRAY_PARTIAL,
    /** A stored blob whose content does not hash to its name. */
    CORRUPT_BLOB,
    /** A stored blob no image references. */
    UNREFERENCED_BLOB,
    /** A file in the blob directory with no record. */
    BLOB_WITHOUT_RECORD,
    /** A pool volume that is mounted: reported, never touched. */
    MOUNTED_SKIPPED,
    /** Scratch of an interrupted pool operation (a half copy, a half-deleted volume). */
    POOL_DEBRIS,
    /**
     * With a retention: an image with no live activation and no active run, whose last use (its own
     * last change or any of its activations') is older than the retention. Deleted as {@code
     * delete} does; the chain volumes and blobs only it used are listed as unreferenced with it.
     */
    EXPIRED_IMAGE,
    /**
     * With a retention: a stored blob, stored longer ago than the retention, that only READY images
     * use and whose chain is built: a cache, downloaded again if a rebuild needs it.
     */
    EXPIRED_BLOB
  }

  /** One leftover and what force does about it. */
  public record Finding(Kind kind, String object, String detail, String action) {}
}
