package io.thinimage.adapters.devicemapper;

import io.thinimage.adapters.devicemapper.DmStatus.Failed;
import io.thinimage.adapters.devicemapper.DmStatus.PoolMode;
import io.thinimage.adapters.devicemapper.DmStatus.ThinPoolStatus;
import io.thinimage.adapters.devicemapper.DmStatus.ThinStatus;
import io.thinimage.core.domain.ThinImageException;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a pool may take new allocations ({@code create_thin}, {@code create_snap}).
 * Refuses a failed, read-only, needs_check or out-of-data-space pool, and one whose free data or
 * metadata fraction is under its threshold: a full pool is far cheaper to prevent than to repair.
 */
public record AllocationGuard(double minFreeDataRatio, double minFreeMetadataRatio) {

  public AllocationGuard {
    if (minFreeDataRatio < 0 || minFreeDataRatio >= 1) {
      throw new IllegalArgumentException("minFreeDataRatio must be in [0,1)");
    }
    if (minFreeMetadataRatio < 0 || minFreeMetadataRatio >= 1) {
      throw new IllegalArgumentException("minFreeMetadataRatio must be in [0,1)");
    }
  }

  /** A reason not to allocate: a stable code and a sentence for operators. */
  public record Refusal(String code, String reason) {
    /** The refusal as the UNSAFE error the pool port reports. */
    public ThinImageException toException() {
      return ThinImageException.unsafe(code, reason);
    }
  }

  /** Why this pool status refuses allocation, or empty if it accepts. */
  public Optional<Refusal> check(DmStatus status) {
    if (status instanceof Failed f) {
      return refuse("pool-failed", "the thin-pool reports '" + f.word() + "'");
    }
    if (status instanceof ThinStatus) {
      return refuse("pool-not-a-pool", "the named device is a thin volume, not a thin-pool");
    }
    ThinPoolStatus p = (ThinPoolStatus) status;
    if (p.needsCheck()) {
      return refuse(
          "pool-needs-check",
          "the thin-pool has needs_check set: deactivate it and run thin_check before use");
    }
    if (p.mode() == PoolMode.RO) {
      return refuse("pool-read-only", "the thin-pool is read-only (metadata failure or full)");
    }
    if (p.mode() == PoolMode.OUT_OF_DATA_SPACE) {
      return refuse("pool-out-of-data-space", "the thin-pool is out of data space");
    }
    if (p.dataFreeRatio() < minFreeDataRatio) {
      return refuse(
          "pool-data-low",
          String.format(
              Locale.ROOT,
              "thin-pool data free %.1f%% is under the %.1f%% threshold (%d/%d blocks used)",
              100 * p.dataFreeRatio(),
              100 * minFreeDataRatio,
              p.dataUsedBlocks(),
              p.dataTotalBlocks()));
    }
    if (p.metadataFreeRatio() < minFreeMetadataRatio) {
      return refuse(
          "pool-metadata-low",
          String.format(
              Locale.ROOT,
              "thin-pool metadata free %.1f%% is under the %.1f%% threshold (%d/%d blocks used)",
              100 * p.metadataFreeRatio(),
              100 * minFreeMetadataRatio,
              p.metadataUsedBlocks(),
              p.metadataTotalBlocks()));
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refuse(String code, String reason) {
    return Optional.of(new Refusal(code, reason));
  }
}
