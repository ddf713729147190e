package io.thinimage.core.layer;

import io.thinimage.core.domain.BlobDigest;

/**
 * What applying one layer did.
 *
 * @param digest the verified sha256 of the raw layer stream
 * @param entries tar entries read (whiteouts included)
 * @param bytes regular-file content bytes written
 * @param whiteouts whiteout and opaque markers applied (never materialised)
 * @param devicesSkipped character/block devices not created because the process is not privileged
 * @param xattrsSkipped extended attributes not stored (namespace not reachable or refused)
 * @param ownershipApplied whether numeric owners were applied (only when privileged)
 * @param compression how the stream was encoded: {@code "none"} or {@code "gzip"}
 */
public record ApplyReport(
    BlobDigest digest,
    long entries,
    long bytes,
    long whiteouts,
    long devicesSkipped,
    long xattrsSkipped,
    boolean ownershipApplied,
    String compression) {

  /** A report with only the main counts (nothing skipped, uncompressed, owners applied). */
  public ApplyReport(BlobDigest digest, long entries, long bytes, long whiteouts) {
    this(digest, entries, bytes, whiteouts, 0, 0, true, "none");
  }
}
