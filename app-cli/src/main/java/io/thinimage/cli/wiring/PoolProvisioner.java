package io.thinimage.cli.wiring;

import java.util.List;

/**
 * What {@code setup-pool} asks of the configured pool driver: make the pool exist, without ever
 * destroying an existing one. Bound per driver in {@link ConfigModule}.
 */
public interface PoolProvisioner {

  /**
   * Sizes for a new pool (an existing pool keeps its own).
   *
   * @param dataSizeBytes data backing file size
   * @param metadataSizeBytes metadata backing file size, or 0 for the kernel's guide
   * @param dataBlockSectors thin-pool data block size in 512-byte sectors
   * @param lowWaterMarkBlocks free data blocks under which the kernel raises an event, or -1 for
   *     one tenth of the data blocks
   */
  record Request(
      long dataSizeBytes, long metadataSizeBytes, long dataBlockSectors, long lowWaterMarkBlocks) {}

  /**
   * What was found and done.
   *
   * @param driver {@code devicemapper} or {@code directory}
   * @param action e.g. {@code created}, {@code already-active}, {@code reloaded}
   * @param details one line per fact (files, loop devices, table line, directories)
   */
  record Outcome(String driver, String action, List<String> details) {}

  /** Makes the pool exist. Idempotent. */
  Outcome provision(Request request);
}
